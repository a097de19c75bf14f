// The rules of a PIN, with no storage and no hashing: what the PIN pads
// show and check before anything slow is done.
#pragma once

#include <cstdint>
#include <string>

namespace sayso::access {

enum class Role { Practitioner, Admin };
const char* role_name(Role);

// How long a role stays locked after `failures` wrong tries in a row: not at
// all for the first 3, then 30 s doubling (10 wrong tries: 64 minutes).
std::int64_t lockout_ms(int failures);

// "" if `pin` is acceptable (4 to 8 digits), else why not.
std::string check_new_pin(const std::string& pin);

} // namespace sayso::access
