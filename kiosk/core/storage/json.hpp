// A stored response as JSON: the shape of PROTOCOL.md, used for delivery
// and for sayso-admin's JSON lines alike.
#pragma once

#include "storage/store.hpp"

#include <nlohmann/json.hpp>

namespace sayso::storage {

// id, pack, band, visit type, language, times, state and answers (not the
// device id or delivery state, which each use adds as it needs).
nlohmann::json response_json(const StoredResponse& r);

// Never throws on broken UTF-8 in a child's words: it is replaced.
inline std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace sayso::storage
