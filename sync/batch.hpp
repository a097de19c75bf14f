// The wire format of PROTOCOL.md: batches out, acknowledgements in. Pure
// functions, no network: the libcurl client builds on these.
#pragma once

#include "result/result.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sayso::sync {

inline constexpr int kProtocol = 1;
inline constexpr std::size_t kMaxBatchResponses = 500;
inline constexpr std::size_t kMaxBatchBytes = 4u << 20; // 4 MiB

struct Batch {
    std::string body;             // JSON, UTF-8
    std::vector<std::string> ids; // the responses in it, in order
};

// Encodes the leading responses of `responses` that fit in `max_bytes` and
// `max_count`. Always includes at least one response if there is one, even
// over `max_bytes`, so a single large response can still be offered.
Batch encode_batch(const std::string& device_id, const std::vector<storage::StoredResponse>& responses,
                   std::size_t max_bytes = kMaxBatchBytes, std::size_t max_count = kMaxBatchResponses);

struct Ack {
    std::vector<std::string> accepted;
    struct Rejected {
        std::string id, reason;
    };
    std::vector<Rejected> rejected;
};

// Why a 200 reply could not be read as an acknowledgement.
struct ReplyProblem {
    enum class Kind { NotJson, NoAccepted };
    Kind kind = Kind::NotJson;
};
std::string describe(const ReplyProblem&);

// Reads a 200 reply. Ids not in the batch are ignored: a server can only
// acknowledge what it was sent.
Result<Ack, ReplyProblem> decode_ack(const std::string& body, const std::vector<std::string>& sent);

} // namespace sayso::sync
