// What the collector takes in: deliveries read by the protocol's own reader
// (sync/protocol), kept with the tablet that sent them, and held to what this
// collector knows (its packs and its keys).
#pragma once

#include "protocol/codec.hpp"
#include "protocol/wire.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sayso::collector {

using protocol::Answer;
using protocol::BadRequest;

// A response as the collector keeps it: as delivered, and the device id of
// the tablet that sent it (a delivery says it once for all its responses).
struct Response : protocol::Response {
    std::string device_id;
};

// A delivery's responses, each with its sender's device id.
std::vector<Response> received(protocol::Delivery&& delivery);

// One of the collector's sealing key pairs (keys.hpp reads and makes them).
struct SealKeyPair {
    std::string id;
    std::string public_key; // base64, 32 bytes
    std::string secret_key; // base64, 32 bytes
};

// What a collector takes: the packs it knows (pack id to its age bands; empty:
// any pack) and the keys that open sealed answers.
struct Intake {
    std::map<std::string, std::set<std::string>> packs;
    std::vector<SealKeyPair> keys;
};

// Why the collector will never take this well-formed response (its pack or
// age band is unknown, or a sealed answer does not open with the keys), in
// words for its `rejected` entry; nullopt when it is taken.
std::optional<std::string> never_taken(const protocol::Response& r, const Intake& intake);

} // namespace sayso::collector
