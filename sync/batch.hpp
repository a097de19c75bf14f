// The kiosk's stored responses as the protocol's messages (sync/protocol):
// pure functions, no network; the libcurl client builds on these.
#pragma once

#include "protocol/codec.hpp"
#include "protocol/wire.hpp"
#include "storage/store.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace sayso::sync {

// A stored response as a delivery carries it: times in ISO 8601 UTC, no
// device id or delivery state (a delivery says the device once; exports
// add what they need).
protocol::Response to_wire(const storage::StoredResponse&);

// protocol::write_batch of the leading responses that fit.
protocol::Batch encode_batch(const std::string& device_id, const std::vector<storage::StoredResponse>& responses,
                             std::size_t max_bytes = protocol::kMaxDeliveryBytes,
                             std::size_t max_count = protocol::kMaxResponses);

} // namespace sayso::sync
