// The PIN in front of the practitioner screen: slow salted hashes
// (libsodium's argon2id), and lockouts that grow and outlive a restart.
#pragma once

#include "access/pin.hpp"
#include "flow/clock.hpp"
#include "storage/store.hpp"

#include <optional>
#include <string>

namespace sayso::access {

// An argon2id hash string for `pin` (about 0.2 s, 64 MiB: slow on purpose).
PinResult<std::string> hash_pin(const std::string& pin);

class Gate {
  public:
    Gate(storage::Store& store, const flow::Clock& clock) : store_(store), clock_(clock) {}

    enum class Outcome { Open, Wrong, LockedOut, NoPin };
    struct Attempt {
        Outcome outcome = Outcome::Wrong;
        std::int64_t locked_for_ms = 0; // when LockedOut (a Wrong try that locks it is LockedOut)
    };

    bool has_pin(Role role);
    // Checks a PIN (about 0.1 s). While locked out, no PIN is even checked.
    // A problem when the PIN or its lockout could not be read or kept.
    PinResult<Attempt> check(Role role, const std::string& pin);
    // How long `role` stays locked from now, 0 if not.
    std::int64_t locked_for_ms(Role role);
    // Until when (wall ms) `role` is locked; 0 if it is not.
    std::int64_t locked_until_ms(Role role);
    PinResult<void> set_pin(Role role, const std::string& pin);

  private:
    storage::Store& store_;
    const flow::Clock& clock_;
};

} // namespace sayso::access
