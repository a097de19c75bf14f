// Every protocol message (wire.hpp) to and from its JSON: the one writer and
// the one reader of each, used by the kiosk's delivery, the collector and
// sayso-admin. Readers assume every byte was written by someone trying to
// break them: they check every field and say what is wrong and where.
#pragma once

#include "protocol/wire.hpp"
#include "result/result.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sayso::protocol {

// Never throws on broken UTF-8 in a child's words: it is replaced.
std::string dump(const nlohmann::json&);
// Appends `s` as a JSON string, exactly as dump writes it: UTF-8 as it is,
// control characters escaped, each broken sequence one U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// --- POST /v1/responses -----------------------------------------------------

// A response's JSON object, as a delivery carries it; exports add their own
// fields to it (the device, when it was delivered).
nlohmann::json to_json(const Response&);

std::string write_delivery(const Delivery&);

// A delivery written response by response until it is full: at most
// `max_count` responses in `max_bytes` of body. The first response is always
// taken, even over `max_bytes`, so a single large response can still be
// offered.
struct Batch {
    std::string body;             // JSON, UTF-8
    std::vector<std::string> ids; // the responses in it, in order
};
class BatchWriter {
  public:
    BatchWriter(const std::string& device_id, std::size_t max_bytes = kMaxDeliveryBytes,
                std::size_t max_count = kMaxResponses);
    // Takes the response if it fits; false when it does not (the batch is then full).
    bool add(const Response&);
    Batch finish() &&;

  private:
    std::string head_, items_;
    std::size_t max_bytes_, max_count_;
    std::vector<std::string> ids_;
};
// The leading responses of `responses` that fit, written as one delivery.
Batch write_batch(const std::string& device_id, const std::vector<Response>& responses,
                  std::size_t max_bytes = kMaxDeliveryBytes, std::size_t max_count = kMaxResponses);

// What is wrong with a request, in words and where (a JSON path such as
// $.responses[3].answers[0].options).
struct BadRequest {
    std::string message;
    std::string where;
};
std::string describe(const BadRequest&);

// Checks every field against PROTOCOL.md and the limits in wire.hpp.
Result<Delivery, BadRequest> read_delivery(const std::string& body);

// --- the reply to a delivery --------------------------------------------------

std::string write_ack(const Ack&);

// Why a 200 reply could not be read.
struct ReplyProblem {
    enum class Kind { NotJson, NoAccepted, NotEnrolment };
    Kind kind = Kind::NotJson;
};
std::string describe(const ReplyProblem&);

// Ids not in `sent` are ignored, and an id is taken once (accepted wins over
// rejected): a server can only acknowledge what it was sent. Reasons are cut
// to kMaxReason bytes.
Result<Ack, ReplyProblem> read_ack(const std::string& body, const std::vector<std::string>& sent);

// --- POST /v1/enrol -------------------------------------------------------------

std::string write_enrol_request(const EnrolRequest&);
// The code comes back normalised (empty when it can't be one: the collector
// refuses it like an unknown code); the device id is 1 to 64 printable ASCII
// characters.
Result<EnrolRequest, BadRequest> read_enrol_request(const std::string& body);

std::string write_enrol_reply(const EnrolReply&);
// The shape only; the kiosk holds the token and keys to its settings file's
// own checks before keeping them. A device name is cut to 100 bytes.
Result<EnrolReply, ReplyProblem> read_enrol_reply(const std::string& body);

// --- GET /v1/wedid ---------------------------------------------------------------

// {"payload": "<the list as JSON text>", "signature": "<base64 Ed25519 over
// the payload's bytes>"}. `secret_key` is libsodium's 64-byte signing key.
std::string write_we_did(const WeDidList&, const std::vector<unsigned char>& secret_key);

struct WeDidProblem {
    enum class Kind {
        NotSigned,        // not {"payload", "signature"}
        BadSignature,     // not signed with the key given (or the key is not one)
        NotForThisTablet, // signed, but made for another tablet
        NotAList,         // signed, but not a list of entries
    };
    Kind kind = Kind::NotSigned;
};
std::string describe(const WeDidProblem&);

// Checks the signature with `public_key` (base64, 32 bytes) and that the list
// was made for `device_id`, then reads it (read_we_did_payload).
Result<WeDidList, WeDidProblem> read_we_did(const std::string& body, const std::string& public_key,
                                            const std::string& device_id);
// The payload alone: entries that break a rule (a text too long or empty, a
// language that is not a tag) are left out, the newest kMaxWeDidPerLanguage
// of each language and kMaxWeDidEntries in all are kept.
Result<WeDidList, WeDidProblem> read_we_did_payload(const std::string& payload);

// --- refusals (every status but 200) ----------------------------------------------

struct Refusal {
    std::string error;    // words a person understands
    std::string where;    // a JSON path, when it applies
    bool revoked = false; // 401: the token was revoked, not just unknown
    bool operator==(const Refusal&) const = default;
};
std::string write_refusal(const Refusal&);
// Whatever of a refusal the body holds; an empty Refusal when it is not one.
Refusal read_refusal(const std::string& body);

} // namespace sayso::protocol
