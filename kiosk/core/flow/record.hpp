// What the flow hands to storage, and the interface storage implements.
#pragma once

#include "result/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sayso::flow {

struct ResponseStart {
    std::string id; // random 128-bit, 32 hex digits
    std::string pack_id;
    std::string pack_version;
    std::string band;
    std::string visit_type;
    std::string language;
    std::int64_t started_at_ms = 0;
    // Optional, from the practitioner before handing over; pseudonymous, never a name.
    std::string practitioner_code;
    std::string case_ref;
    // The visit: one for each hand-over from the practitioner screen, shared by
    // the brothers and sisters who answer after it (32 hex digits).
    std::string visit_id;
};

struct AnswerRecord {
    std::string question_id;
    int position = 0;                 // 0-based place of the question in its band
    std::string kind;                 // faces, yes_no, pick_one, pick_many, text
    std::string measure;              // may be empty
    bool skipped = false;             // "I'd rather not say"
    std::vector<std::string> options; // chosen option ids (one for single choice)
    std::string text;                 // free text
    // A drawing (image/png) or a recording: the bytes and their type. When
    // sealed (read back from storage with `seal_key` set), the bytes are the
    // sealed box of the clip, which only the collector can open.
    std::string media;
    std::string media_type;
    std::int64_t answered_at_ms = 0;
    // As read back from storage when the answer was sealed to the collector's
    // key: skipped, options and text are then empty here, and only the
    // collector can open `sealed` (base64 of a libsodium sealed box).
    std::string sealed;
    std::string seal_key; // the id of the key it was sealed to
};

enum class Completion { Complete, Incomplete };

// A storage failure in words a practitioner can act on.
struct StorageProblem {
    enum class Kind { Locked, ReadOnly, Corrupt, DiskFull, TooNew, CannotOpen, BadSealKey, Other };
    Kind kind = Kind::Other;
    std::string detail; // technical detail for logs and admins
};
std::string describe(const StorageProblem&);

// A value read from or written to storage, or why it could not be.
template <class T> using StoreResult = Result<T, StorageProblem>;

class Recorder {
  public:
    virtual ~Recorder() = default;
    // Each call is durable when it returns success.
    virtual StoreResult<void> begin(const ResponseStart&) = 0;
    virtual StoreResult<void> record(const std::string& response_id, const AnswerRecord&) = 0;
    virtual StoreResult<void> finish(const std::string& response_id, Completion, std::int64_t ended_at_ms) = 0;
    // The child asked to talk to someone. Kept with the response and never cleared.
    virtual StoreResult<void> flag_talk(const std::string& response_id) = 0;
    // The child chose the language they answer in.
    virtual StoreResult<void> set_language(const std::string& response_id, const std::string& lang) = 0;
    // The child chose to send their words with their case reference, or without it (empty).
    virtual StoreResult<void> set_case_ref(const std::string& response_id, const std::string& case_ref) = 0;
};

// A fresh random 128-bit id as 32 lowercase hex digits (from the OS's CSPRNG).
std::string random_id();

} // namespace sayso::flow
