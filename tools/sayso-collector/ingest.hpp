// Reads a delivery request (sync/PROTOCOL.md) into typed responses, or says
// exactly what is wrong and where.
#pragma once

#include <optional>
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
};

struct Response {
    std::string id;
    std::string device_id;
    std::string pack_id, pack_version, band, visit_type, language;
    std::string started_at, ended_at, state;
    bool asked_to_talk = false;               // the child asked to talk to someone
    std::string practitioner_code, case_ref;  // pseudonymous; empty when not given
    std::vector<Answer> answers;
};

struct BadRequest {
    std::string message; // words a person understands
    std::string where;   // JSON path, e.g. $.responses[3].answers[0].options
};

inline constexpr std::size_t kMaxResponsesPerRequest = 500;
inline constexpr int kMaxDepth = 16;

// Parses and checks a request body. On success `out` holds the responses.
std::optional<BadRequest> read_request(const std::string& body, std::vector<Response>& out);

} // namespace sayso::collector
