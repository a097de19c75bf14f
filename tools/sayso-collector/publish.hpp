// What the collector publishes to its tablets: "you said, we did" for each
// tablet's service area, signed with a key kept in the store (made on first
// use). A tablet is given the key's public half when it enrols, and shows
// only lists signed with it (sync/PROTOCOL.md, "You said, we did").
#pragma once

#include "protocol/wire.hpp"
#include "store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sayso::collector {

struct PublishKey {
    std::string public_key;            // base64, 32 bytes
    std::vector<unsigned char> secret; // libsodium's 64-byte signing key
};
// The store's publishing key, made and kept the first time it is asked for
// (two collectors asking at once keep one).
Stored<PublishKey> publish_key(Store& store);

// The "we did" entries for a tablet: those for its service area and those
// for every area, newest first, at most kMaxWeDidPerLanguage of each
// language. No figures and no child's words: an admin's words alone.
Stored<protocol::WeDidList> we_did_for(Store& store, const std::string& device_name, const std::string& device_id);

} // namespace sayso::collector
