// libFuzzer: the body of a collection endpoint's reply, read by the tablet's
// delivery thread (PROTOCOL.md, "Replies"): as an acknowledgement, an
// enrolment and a refusal. Whatever it says, only ids that were sent may come
// back as accepted or rejected.
#include "protocol/codec.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::vector<std::string> sent = {"00000000000000000000000000000001",
                                                  "00000000000000000000000000000002", "a", "b"};
    const std::string body(reinterpret_cast<const char*>(data), size);
    (void)sayso::protocol::read_refusal(body);
    if (auto enrolled = sayso::protocol::read_enrol_reply(body); enrolled && enrolled->device_name.size() > 100)
        std::abort();
    const auto ack = sayso::protocol::read_ack(body, sent);
    if (!ack) {
        (void)ack.words();
        return 0;
    }
    const std::set<std::string> ours(sent.begin(), sent.end());
    std::set<std::string> seen;
    for (const auto& id : ack->accepted)
        if (!ours.count(id) || !seen.insert(id).second) std::abort(); // never an id not sent, never twice
    for (const auto& r : ack->rejected)
        if (!ours.count(r.id) || !seen.insert(r.id).second || r.reason.size() > sayso::protocol::kMaxReason)
            std::abort();
    return 0;
}
