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

std::string check_new_pin(const std::string& pin) {
    if (pin.size() < 4 || pin.size() > 8) return "a PIN has 4 to 8 digits";
    if (!std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return "a PIN has digits only";
    return "";
}

std::optional<std::string> hash_pin(const std::string& pin) {
    tasks::blocking("hashing a PIN");
    if (sodium_init() < 0) return std::nullopt;
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return std::nullopt; // out of memory
    return std::string(out);
}

bool Gate::has_pin(Role role) {
    std::optional<storage::PinRecord> rec;
    return !store_.pin(role_name(role), rec) && rec.has_value();
}

std::int64_t Gate::locked_for_ms(Role role) {
    std::optional<storage::PinRecord> rec;
    if (store_.pin(role_name(role), rec) || !rec) return 0;
    return std::max<std::int64_t>(0, rec->locked_until_ms - clock_.wall_ms());
}

std::int64_t Gate::locked_until_ms(Role role) {
    std::optional<storage::PinRecord> rec;
    if (store_.pin(role_name(role), rec) || !rec || rec->locked_until_ms <= clock_.wall_ms()) return 0;
    return rec->locked_until_ms;
}

Gate::Attempt Gate::check(Role role, const std::string& pin) {
    Attempt a;
    std::optional<storage::PinRecord> rec;
    if (auto p = store_.pin(role_name(role), rec)) {
        a.problem = flow::describe(*p);
        return a;
    }
    if (!rec) {
        a.result = Result::NoPin;
        return a;
    }
    const std::int64_t now = clock_.wall_ms();
    if (rec->locked_until_ms > now) {
        a.result = Result::LockedOut;
        a.locked_for_ms = rec->locked_until_ms - now;
        return a;
    }
    if (sodium_init() < 0) {
        a.problem = "the PIN can't be checked on this tablet";
        return a;
    }
    tasks::blocking("checking a PIN");
    if (crypto_pwhash_str_verify(rec->hash.c_str(), pin.data(), pin.size()) == 0) {
        if (rec->failures != 0) store_.set_pin_lockout(role_name(role), 0, 0);
        a.result = Result::Open;
        return a;
    }
    const int failures = rec->failures + 1;
    const std::int64_t lock = lockout_ms(failures);
    // Saved before answering, so pulling the plug does not reset the count.
    if (auto p = store_.set_pin_lockout(role_name(role), failures, lock ? now + lock : 0)) {
        a.problem = flow::describe(*p);
        return a;
    }
    a.result = lock ? Result::LockedOut : Result::Wrong;
    a.locked_for_ms = lock;
    return a;
}

std::optional<std::string> Gate::set_pin(Role role, const std::string& pin) {
    if (auto why = check_new_pin(pin); !why.empty()) return why;
    auto hash = hash_pin(pin);
    if (!hash) return std::string("the PIN could not be hashed (not enough memory)");
    if (auto p = store_.set_pin(role_name(role), *hash)) return flow::describe(*p);
    return std::nullopt;
}

} // namespace sayso::access
