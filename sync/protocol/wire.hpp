// The delivery protocol's messages (PROTOCOL.md), as the kiosk, the collector
// and sayso-admin all see them: one set of types, one reader and one writer
// for each (protocol/codec.hpp). Values are as they are on the wire: times
// are ISO 8601 UTC strings, ids are strings.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sayso::protocol {

inline constexpr int kVersion = 1;

// Limits a reader holds every message to; a writer keeps inside them.
inline constexpr std::size_t kMaxResponses = 500;          // per delivery
inline constexpr std::size_t kMaxDeliveryBytes = 4u << 20; // a kiosk's batch body, 4 MiB
inline constexpr std::size_t kMaxAnswers = 200;            // per response
inline constexpr std::size_t kMaxOptions = 50;             // per answer
inline constexpr std::size_t kMaxName = 200;               // ids, kinds, measures, option ids
inline constexpr std::size_t kMaxLanguage = 35;            // a BCP 47 tag
inline constexpr std::size_t kMaxReference = 40;           // practitioner code, case reference
inline constexpr std::size_t kMaxText = 20000;             // a child's words, in bytes
inline constexpr std::size_t kMaxSealed = 60000;           // a sealed answer, base64
inline constexpr std::size_t kMaxSealKey = 64;             // the id of the key it is sealed to
inline constexpr std::size_t kMaxClip = 2u << 20;          // a drawing or a recording, base64
inline constexpr std::size_t kMaxDeviceId = 64;
inline constexpr std::size_t kMaxReason = 500; // a rejection's words, as a kiosk keeps them
inline constexpr int kMaxPosition = 10000;
inline constexpr int kMaxDepth = 16; // JSON nesting

struct Answer {
    std::string question_id;
    int position = 0;
    std::string kind, measure;
    bool skipped = false;
    std::vector<std::string> options;
    std::string text;
    std::string answered_at;
    // A sealed answer: skipped, options and text are inside `sealed` (base64
    // of a libsodium sealed box) and are not sent in the clear.
    std::string sealed;
    std::string seal_key;
    // A drawing or a recording: its type (image/png, audio/ogg) and its
    // bytes in base64; in a sealed answer, the base64 of the clip's own
    // sealed box, to the same key. Empty: no clip.
    std::string clip_type;
    std::string clip;

    bool operator==(const Answer&) const = default;
};

// The clip types an answer may carry.
inline bool clip_type_known(const std::string& type) {
    return type == "image/png" || type == "audio/ogg";
}

struct Response {
    std::string id; // 32 lowercase hex digits: the idempotency key
    std::string pack_id, pack_version, band, visit_type, language;
    std::string started_at;
    std::string ended_at; // empty: not ended (sent as null)
    std::string state;    // complete or incomplete
    bool asked_to_talk = false;
    std::string practitioner_code, case_ref; // pseudonymous; empty when not given
    // The visit it was given in: brothers and sisters answering one after
    // another at one visit share it (32 lowercase hex digits); empty when not known.
    std::string visit_id;
    std::vector<Answer> answers;

    bool operator==(const Response&) const = default;
};

// POST /v1/responses: what one tablet sends at once.
struct Delivery {
    std::string device_id;
    std::vector<Response> responses;

    bool operator==(const Delivery&) const = default;
};

// The 200 reply to a delivery.
struct Ack {
    std::vector<std::string> accepted;
    struct Rejected {
        std::string id, reason;
        bool operator==(const Rejected&) const = default;
    };
    std::vector<Rejected> rejected;

    bool operator==(const Ack&) const = default;
};

// POST /v1/enrol and its 200 reply.
struct EnrolRequest {
    std::string code; // as typed; the reader gives it normalised (normalise_code)
    std::string device_id;

    bool operator==(const EnrolRequest&) const = default;
};
struct SealKey {
    std::string id;
    std::string public_key; // base64, 32 bytes
    bool operator==(const SealKey&) const = default;
};
struct EnrolReply {
    std::string device_name, token;
    std::vector<SealKey> seal_keys; // oldest first
    std::string publish_key;        // base64, the Ed25519 key "we did" lists are signed with; may be absent

    bool operator==(const EnrolReply&) const = default;
};

// GET /v1/wedid: "you said, we did" as the collector publishes it for one
// tablet's service area, signed with the collector's publishing key.
inline constexpr std::size_t kMaxWeDidText = 2000;        // you_said, we_did, in bytes
inline constexpr std::size_t kMaxWeDidEntries = 24;       // in one reply
inline constexpr std::size_t kMaxWeDidPerLanguage = 3;    // the newest of each language
inline constexpr std::size_t kMaxWeDidBytes = 256u << 10; // the reply's body
struct WeDid {
    long long id = 0;     // the collector's, newest highest
    std::string language; // what the words are written in (BCP 47)
    std::string measure;  // what children were asked, e.g. "listened"; may be empty
    std::string you_said, we_did;
    std::string published_at; // a date, YYYY-MM-DD

    bool operator==(const WeDid&) const = default;
};
struct WeDidList {
    std::string device_id;      // the tablet it was made for
    std::string service_area;   // its service area ("" when it has none)
    std::string issued_at;      // ISO 8601 UTC
    std::vector<WeDid> entries; // newest first

    bool operator==(const WeDidList&) const = default;
};

// Enrolment codes: 12 letters and digits that can't be mistaken for one
// another (no 0/O, 1/I/L), shown as XXXX-XXXX-XXXX.
inline constexpr char kCodeLetters[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kCodeLength = 12;
// A code as typed (any case, with or without dashes and spaces) in the form
// its hash is kept for; empty if it can't be a code.
std::string normalise_code(const std::string& typed);

} // namespace sayso::protocol
