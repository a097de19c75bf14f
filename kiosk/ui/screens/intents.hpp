// What the screens are given and what they say back. A screen reads values
// (the flow, the shelf, the facts below) and records what the child or adult
// wants as intents; the kiosk applies them after the frame, and runs anything
// slow or fallible as a task off the drawing thread. Nothing here touches a
// disk, a network or a password hash.
#pragma once

#include "access/pin.hpp"
#include "flow/flow.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sayso::ui {

// Which PINs are set and locked out, and whether one is being checked.
struct PinFacts {
    bool usable = false;                      // the answers file is open, so PINs can be kept
    bool practitioner = false, admin = false; // set
    std::int64_t practitioner_locked_until_ms = 0, admin_locked_until_ms = 0; // wall time; 0: not locked
    bool checking = false;                                                    // a PIN is being checked or set
    bool has(access::Role r) const { return r == access::Role::Admin ? admin : practitioner; }
    std::int64_t locked_until_ms(access::Role r) const {
        return r == access::Role::Admin ? admin_locked_until_ms : practitioner_locked_until_ms;
    }
};

// What the kiosk knows of the tablet, read between frames.
struct Facts {
    PinFacts pins;
    bool wiping = false;      // a wipe is under way: no child is handed the tablet
    bool sealing = false;     // answers are sealed before they are written
    std::int64_t waiting = 0; // responses on the tablet not yet delivered
    bool microphone = true;   // a child can record (false: none found, or the last try to open one failed)
};

// Delivery as the screens show it, while the delivery client runs.
struct DeliveryView {
    std::int64_t waiting = -1; // not yet delivered (-1: not known yet)
    std::int64_t refused = 0;  // kept here: the server will never take these
    std::optional<std::int64_t> last_delivery_ms;
    std::string problem; // in a practitioner's words; empty: none
    std::uint64_t rounds = 0;
};

// Slow or fallible work a screen asks for; the kiosk runs each as a task.
namespace ask {
struct CheckPin {
    access::Role role;
    std::string pin;
};
struct SetPin {
    access::Role role;
    std::string pin;
};
struct UsePack { // take a pack out of use, or back into use
    std::string id;
    bool in_use;
};
struct Install {
    std::filesystem::path folder;
};
struct LookForPacks {};         // on the USB sticks
struct LoadDeliverySettings {}; // what the settings file says, for the delivery tab
struct Enrol {
    std::string endpoint, code;
};
struct Wipe {};
struct TalkSeen {}; // the practitioner saw to the children who asked to talk
struct Refresh {};  // read the facts again
} // namespace ask
using Ask = std::variant<ask::CheckPin, ask::SetPin, ask::UsePack, ask::Install, ask::LookForPacks,
                         ask::LoadDeliverySettings, ask::Enrol, ask::Wipe, ask::TalkSeen, ask::Refresh>;

struct Intents {
    std::vector<std::function<void(flow::Flow&)>> flow; // the flow's transitions, in the order tapped
    std::vector<Ask> asks;
    bool empty() const { return flow.empty() && asks.empty(); }
};

} // namespace sayso::ui
