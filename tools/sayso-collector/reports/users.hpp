// Report users and their sessions. Passwords are kept only as Argon2id hashes
// (libsodium's crypto_pwhash_str); a session is a random cookie whose SHA-256
// alone is kept, ending after 30 minutes unused or 12 hours in all.
#pragma once

#include "random/random.hpp"
#include "store.hpp"
#include "views.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sayso::collector::reports {

inline constexpr std::int64_t kSessionIdleSeconds = 30 * 60;
inline constexpr std::int64_t kSessionMaxSeconds = 12 * 60 * 60;
inline constexpr std::size_t kMinPassword = 10;

// `bytes` random bytes as hex (libsodium's generator): cookies and form tokens.
using random::random_hex; // session ids and form tokens

// 1 to 64 letters, digits and - _ . / @: what a user name may be.
bool user_name_like(const std::string& name);
// Why a user was not added or disabled, in words for the person: what was
// asked is not allowed, or the store failed.
struct UserProblem {
    std::string message;
};
inline std::string describe(const UserProblem& p) {
    return p.message;
}
// Adds or replaces a user, ending any sessions they had.
Result<void, UserProblem> add_user(Store& store, const Reader& user, const std::string& password);
// Disables a user and ends their sessions.
Result<void, UserProblem> disable_user(Store& store, const std::string& name);

// A user whose name and password matched, with the hash they matched.
struct SignIn {
    Reader user;
    std::string credential; // the password hash checked
};
// The user, if the name and password match and the user is not disabled. The
// same work is done for an unknown name, so timing does not tell names apart.
Stored<std::optional<SignIn>> check_login(Store& store, const std::string& name, const std::string& password);

struct Session {
    std::string cookie; // only on the session just made; the store keeps its hash
    std::string csrf;   // a form's hidden field must carry this
    Reader user;
};
// A session for a sign-in, made only if its password hash is still the user's
// and they are not disabled: a password changed (or the user disabled) while
// the password was being checked gives no session, so none outlives the
// change that was meant to end them all.
Stored<std::optional<Session>> new_session(Store& store, const SignIn& sign_in, std::int64_t now);
// The session for a cookie, if it has not expired (and then it is kept alive).
Stored<std::optional<Session>> find_session(Store& store, const std::string& cookie, std::int64_t now);
Stored<void> end_session(Store& store, const std::string& cookie);

} // namespace sayso::collector::reports
