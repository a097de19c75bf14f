// Reads a delivery request (sync/PROTOCOL.md) into typed responses, or says
// exactly what is wrong and where.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sayso::collector {

struct Answer {
    std::string question_id;
    int position = 0;
    std::string kind, measure;
    bool skipped = false;
    std::vector<std::string> options;
    std::string text;
    std::string answered_at;
    // A sealed answer: skipped, options and text are inside, for the keys to open.
    std::string sealed; // base64
    std::string seal_key;
    // Read back from a store: why a sealed answer could not be opened (its key
    // is not held, or it is damaged); empty when it opened or was never sealed.
    std::string unopened;
};

struct Response {
    std::string id;
    std::string device_id;
    std::string pack_id, pack_version, band, visit_type, language;
    std::string started_at, ended_at, state;
    bool asked_to_talk = false;              // the child asked to talk to someone
    std::string practitioner_code, case_ref; // pseudonymous; empty when not given
    std::vector<Answer> answers;
};

struct BadRequest {
    std::string message; // words a person understands
    std::string where;   // JSON path, e.g. $.responses[3].answers[0].options
};

inline constexpr std::size_t kMaxResponsesPerRequest = 500;
inline constexpr int kMaxDepth = 16;

// Parses and checks a request body. On success `out` holds the responses and
// `device_id` the sending tablet's device id.
std::optional<BadRequest> read_request(const std::string& body, std::vector<Response>& out, std::string& device_id);

// Enrolment codes: 12 letters and digits that can't be mistaken for one
// another (no 0/O, 1/I/L), shown as XXXX-XXXX-XXXX.
inline constexpr char kCodeLetters[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kCodeLength = 12;
// A code as typed (any case, with or without dashes and spaces) in the form
// its hash is kept for; empty if it can't be a code.
std::string normalise_code(const std::string& typed);

// POST /v1/enrol's body: {"code": "...", "device_id": "..."}. The code comes
// back normalised (empty when it can't be one: refused like an unknown code);
// the device id is 1 to 64 printable ASCII characters.
struct Enrolment {
    std::string code, device_id;
};
std::optional<BadRequest> read_enrolment(const std::string& body, Enrolment& out);

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
std::optional<std::string> never_taken(const Response& r, const Intake& intake);

} // namespace sayso::collector
