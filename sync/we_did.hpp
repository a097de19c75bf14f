// "You said, we did" on the tablet (PROTOCOL.md, "GET /v1/wedid"): fetched
// with the device token, kept in the kiosk's store only when signed with the
// collector's publishing key and made for this tablet, and read back (and
// checked again) when the kiosk starts.
#pragma once

#include "client.hpp"
#include "protocol/wire.hpp"
#include "storage/store.hpp"

#include <optional>
#include <string>

namespace sayso::sync {

// The store's setting that holds the list as it came, signature and all.
inline constexpr const char* kWeDidSetting = "we_did";

struct WeDidFetch {
    enum class Kind {
        Fetched,      // a list, checked and kept
        NotPublished, // this collector does not publish (404): what was kept is forgotten, `list` is empty
        Failed,       // no list this time: the network, the collector, or the list did not check out
    };
    Kind kind = Kind::Failed;
    std::optional<protocol::WeDidList> list; // with Fetched
    std::string detail;                      // why not, for the log
};
// GET <endpoint>/v1/wedid?device_id=...; a list that checks out replaces the one kept.
WeDidFetch fetch_we_did(storage::Store& store, Http& http, const std::string& publish_key);

// The list kept, if there is one and it still checks out with `publish_key`.
std::optional<protocol::WeDidList> stored_we_did(storage::Store& store, const std::string& publish_key);

} // namespace sayso::sync
