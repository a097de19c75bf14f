#include "access/gate.hpp"
#include "tasks/frame_guard.hpp"

#include <algorithm>
#include <sodium.h>

namespace sayso::access {

const char* role_name(Role r) {
    return r == Role::Admin ? "admin" : "practitioner";
}

std::int64_t lockout_ms(int failures) {
    if (failures < 3) return 0;
    const int doublings = std::min(failures - 3, 16); // caps at about 23 days
    return 30'000LL << doublings;
}

std::string describe(const PinProblem& p) {
    switch (p.kind) {
    case PinProblem::Kind::Refused: return p.why.empty() ? "That PIN can't be used." : p.why;
    case PinProblem::Kind::CantHash:
        return p.why.empty() ? "This tablet can't work with PINs right now. Try again."
                             : "This tablet can't work with PINs right now (" + p.why + "). Try again.";
    case PinProblem::Kind::Storage: return p.storage ? flow::describe(*p.storage) : flow::describe({});
    }
    return "The PIN can't be checked on this tablet right now. Try again.";
}

namespace {
PinProblem storage_problem(const flow::StorageProblem& s) {
    return {.kind = PinProblem::Kind::Storage, .why = s.detail, .storage = s};
}
} // namespace

PinResult<void> check_new_pin(const std::string& pin) {
    if (pin.size() < 4 || pin.size() > 8)
        return PinProblem{.kind = PinProblem::Kind::Refused, .why = "A PIN has 4 to 8 digits."};
    if (!std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return PinProblem{.kind = PinProblem::Kind::Refused, .why = "A PIN has digits only."};
    return {};
}

PinResult<std::string> hash_pin(const std::string& pin) {
    tasks::blocking("hashing a PIN");
    if (sodium_init() < 0) return PinProblem{.kind = PinProblem::Kind::CantHash, .why = "libsodium could not start"};
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return PinProblem{.kind = PinProblem::Kind::CantHash, .why = "not enough memory to hash a PIN"};
    std::string hash(out);
    sodium_memzero(out, sizeof out);
    return hash;
}

bool Gate::has_pin(Role role) {
    auto rec = store_.pin(role_name(role));
    return rec && rec->has_value();
}

std::int64_t Gate::locked_for_ms(Role role) {
    auto rec = store_.pin(role_name(role));
    if (!rec || !*rec) return 0;
    return std::max<std::int64_t>(0, (*rec)->locked_until_ms - clock_.wall_ms());
}

std::int64_t Gate::locked_until_ms(Role role) {
    auto rec = store_.pin(role_name(role));
    if (!rec || !*rec || (*rec)->locked_until_ms <= clock_.wall_ms()) return 0;
    return (*rec)->locked_until_ms;
}

PinResult<Gate::Attempt> Gate::check(Role role, const std::string& pin) {
    auto read = store_.pin(role_name(role));
    if (!read) return storage_problem(read.problem());
    if (!*read) return Attempt{.outcome = Outcome::NoPin};
    const storage::PinRecord& rec = **read;
    const std::int64_t now = clock_.wall_ms();
    if (rec.locked_until_ms > now)
        return Attempt{.outcome = Outcome::LockedOut, .locked_for_ms = rec.locked_until_ms - now};
    if (sodium_init() < 0) return PinProblem{.kind = PinProblem::Kind::CantHash, .why = "libsodium could not start"};
    tasks::blocking("checking a PIN");
    if (crypto_pwhash_str_verify(rec.hash.c_str(), pin.data(), pin.size()) == 0) {
        // A failed reset leaves the count as it was: the next right PIN tries again.
        if (rec.failures != 0) (void)store_.set_pin_lockout(role_name(role), 0, 0);
        return Attempt{.outcome = Outcome::Open};
    }
    const int failures = rec.failures + 1;
    const std::int64_t lock = lockout_ms(failures);
    // Saved before answering, so pulling the plug does not reset the count.
    if (auto kept = store_.set_pin_lockout(role_name(role), failures, lock ? now + lock : 0); !kept)
        return storage_problem(kept.problem());
    return Attempt{.outcome = lock ? Outcome::LockedOut : Outcome::Wrong, .locked_for_ms = lock};
}

PinResult<void> Gate::set_pin(Role role, const std::string& pin) {
    if (auto ok = check_new_pin(pin); !ok) return ok;
    auto hash = hash_pin(pin);
    if (!hash) return hash.problem();
    if (auto kept = store_.set_pin(role_name(role), *hash); !kept) return storage_problem(kept.problem());
    return {};
}

} // namespace sayso::access
