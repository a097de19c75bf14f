#include "we_did.hpp"

#include "protocol/codec.hpp"

namespace sayso::sync {

WeDidFetch fetch_we_did(storage::Store& store, Http& http, const std::string& publish_key) {
    using K = WeDidFetch::Kind;
    const std::string device = store.device_id();
    // A device id is printable ASCII without spaces (protocol::read_enrol_request), safe in a query as it is.
    const auto got = http.get("/v1/wedid?device_id=" + device);
    if (got.status == 404) {
        // Nothing published any more: what was kept goes too, as a list with no entries would take its place.
        (void)store.set_setting(kWeDidSetting, std::nullopt);
        return {.kind = K::NotPublished,
                .list = protocol::WeDidList{.device_id = device, .service_area = {}, .issued_at = {}, .entries = {}},
                .detail = "this collector does not publish"};
    }
    if (got.kind != PostResult::Kind::Ok) return {.kind = K::Failed, .list = {}, .detail = got.detail};
    auto list = protocol::read_we_did(got.body, publish_key, device);
    if (!list) return {.kind = K::Failed, .list = {}, .detail = protocol::describe(list.problem())};
    // A list older than the one kept (sent again from the past) does not replace it.
    if (const auto kept = stored_we_did(store, publish_key); kept && list->issued_at < kept->issued_at)
        return {.kind = K::Failed, .list = {}, .detail = "the list is older than the one kept"};
    if (auto kept = store.set_setting(kWeDidSetting, got.body); !kept)
        return {.kind = K::Failed, .list = {}, .detail = kept.problem().detail};
    return {.kind = K::Fetched, .list = std::move(*list), .detail = {}};
}

std::optional<protocol::WeDidList> stored_we_did(storage::Store& store, const std::string& publish_key) {
    const auto kept = store.setting(kWeDidSetting);
    if (!kept || !*kept) return std::nullopt;
    auto list = protocol::read_we_did(**kept, publish_key, store.device_id());
    if (!list) return std::nullopt;
    return std::move(*list);
}

} // namespace sayso::sync
