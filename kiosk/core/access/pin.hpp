// The rules of a PIN, with no storage and no hashing: what the PIN pads
// show and check before anything slow is done.
#pragma once

#include "flow/record.hpp"
#include "result/result.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sayso::access {

enum class Role { Practitioner, Admin };
const char* role_name(Role);

// How long a role stays locked after `failures` wrong tries in a row: not at
// all for the first 3, then 30 s doubling (10 wrong tries: 64 minutes).
std::int64_t lockout_ms(int failures);

// Why a PIN could not be set or checked.
struct PinProblem {
    enum class Kind {
        Refused,  // not a PIN that can be used: `why` says what a PIN must be
        CantHash, // the tablet could not hash or check it (libsodium, memory)
        Storage,  // the PIN or its lockout could not be read or kept
    };
    Kind kind = Kind::CantHash;
    std::string why;                             // in words, for Refused; detail otherwise
    std::optional<flow::StorageProblem> storage; // for Storage
};
std::string describe(const PinProblem&);
template <class T> using PinResult = Result<T, PinProblem>;

// Success if `pin` is acceptable (4 to 8 digits), else a Refused problem saying why not.
PinResult<void> check_new_pin(const std::string& pin);

} // namespace sayso::access
