#include "users.hpp"

#include "server.hpp"

#include <sodium.h>

#include <cctype>

namespace sayso::collector::reports {

namespace {

using Rows = std::vector<Store::Row>;

} // namespace

namespace {

bool plain_word(const std::string& s, std::size_t max) {
    if (s.empty() || s.size() > max) return false;
    for (unsigned char c : s)
        if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '@')) return false;
    return true;
}

} // namespace

bool user_name_like(const std::string& name) {
    return plain_word(name, 64);
}

Result<void, UserProblem> add_user(Store& store, const Reader& u, const std::string& password) {
    if (sodium_init() < 0) return UserProblem{"libsodium could not start"};
    if (!plain_word(u.name, 64)) return UserProblem{"a user name is 1 to 64 letters, digits and - _ . @"};
    if (u.role == Role::None) return UserProblem{"the role must be admin, manager or practitioner"};
    if (u.role == Role::Manager && !plain_word(u.service_area, 40))
        return UserProblem{"a manager needs --service, their service area"};
    if (u.role == Role::Practitioner && !plain_word(u.practitioner_code, 40))
        return UserProblem{"a practitioner needs --code, the practitioner code they type on the tablet"};
    if (password.size() < kMinPassword)
        return UserProblem{"the password must be at least " + std::to_string(kMinPassword) + " characters"};
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return UserProblem{"not enough memory to hash the password"};
    const std::string area = u.role == Role::Manager ? u.service_area : "";
    const std::string code = u.role == Role::Practitioner ? u.practitioner_code : "";
    // A changed password or role ends every session the user had: whoever
    // knew the old password is signed out with it.
    auto changed = store.transaction([&]() -> Stored<void> {
        auto kept = store.query("INSERT INTO users (name, password_hash, role, service_area, practitioner_code,"
                                " disabled) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (name) DO UPDATE SET"
                                " password_hash = excluded.password_hash, role = excluded.role,"
                                " service_area = excluded.service_area,"
                                " practitioner_code = excluded.practitioner_code, disabled = 0",
                                {u.name, std::string(hash), std::string(role_name(u.role)), area, code});
        if (!kept) return kept.problem();
        return Stored<void>::problem_of(store.query("DELETE FROM sessions WHERE user_name = ?", {u.name}));
    });
    if (!changed) return UserProblem{changed.problem().message};
    return {};
}

Result<void, UserProblem> disable_user(Store& store, const std::string& name) {
    auto rows = store.query("SELECT name FROM users WHERE name = ? AND disabled = 0", {name});
    if (!rows) return UserProblem{rows.problem().message};
    if (rows->empty()) return UserProblem{"no active user named \"" + name + "\""};
    auto changed = store.transaction([&]() -> Stored<void> {
        if (auto ran = store.query("UPDATE users SET disabled = 1 WHERE name = ?", {name}); !ran) return ran.problem();
        // Signed out at once.
        return Stored<void>::problem_of(store.query("DELETE FROM sessions WHERE user_name = ?", {name}));
    });
    if (!changed) return UserProblem{changed.problem().message};
    return {};
}

Stored<std::optional<SignIn>> check_login(Store& store, const std::string& name, const std::string& password) {
    if (sodium_init() < 0) return StoreError{"libsodium could not start"};
    auto rows = store.query("SELECT name, role, service_area, practitioner_code, password_hash FROM users"
                            " WHERE name = ? AND disabled = 0",
                            {name});
    if (!rows) return rows.problem();
    // An unknown name is checked against a hash made once, so it takes as long.
    static const std::string dummy = [] {
        char h[crypto_pwhash_STRBYTES] = {};
        if (crypto_pwhash_str(h, "x", 1, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            return std::string();
        return std::string(h);
    }();
    const Rows& found = *rows;
    const std::string& hash = found.empty() ? dummy : found[0][4];
    const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    if (!ok || found.empty()) return std::optional<SignIn>();
    return std::optional<SignIn>(SignIn{Reader{found[0][0], found[0][1], found[0][2], found[0][3]}, found[0][4]});
}

Stored<std::optional<Session>> new_session(Store& store, const SignIn& sign_in, std::int64_t now) {
    Session made{random_hex(32), random_hex(16), sign_in.user};
    // Old sessions go as new ones come.
    auto swept = store.query("DELETE FROM sessions WHERE seen_at < ? OR created_at < ?",
                             {std::to_string(now - kSessionIdleSeconds), std::to_string(now - kSessionMaxSeconds)});
    if (!swept) return swept.problem();
    // One statement, so a password change (replace the hash, then end the user's
    // sessions, in one transaction) comes wholly before it, and nothing is made,
    // or wholly after, and ends it. SQLite has one writer at a time; PostgreSQL
    // reads the user's row FOR SHARE, so it waits for a change under way and then
    // reads the row as changed.
    const std::string lock = store.postgresql() ? " FOR SHARE" : "";
    auto rows = store.query("INSERT INTO sessions (id_hash, user_name, csrf, created_at, seen_at)"
                            " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users"
                            " WHERE name = ? AND password_hash = ? AND disabled = 0" +
                                lock + ") RETURNING user_name",
                            {token_hash(made.cookie), sign_in.user.name, made.csrf, std::to_string(now),
                             std::to_string(now), sign_in.user.name, sign_in.credential});
    if (!rows) return rows.problem();
    if (rows->empty()) return std::optional<Session>();
    return std::optional<Session>(std::move(made));
}

Stored<std::optional<Session>> find_session(Store& store, const std::string& cookie, std::int64_t now) {
    if (cookie.size() != 64) return std::optional<Session>();
    const std::string id = token_hash(cookie);
    auto rows = store.query("SELECT s.csrf, s.created_at, s.seen_at, u.name, u.role, u.service_area,"
                            " u.practitioner_code FROM sessions s JOIN users u ON u.name = s.user_name"
                            " WHERE s.id_hash = ? AND u.disabled = 0",
                            {id});
    if (!rows) return rows.problem();
    if (rows->empty()) return std::optional<Session>();
    const auto& r = (*rows)[0];
    const std::int64_t created = std::stoll(r[1]), seen = std::stoll(r[2]);
    if (now - seen > kSessionIdleSeconds || now - created > kSessionMaxSeconds) {
        if (auto ran = store.query("DELETE FROM sessions WHERE id_hash = ?", {id}); !ran) return ran.problem();
        return std::optional<Session>();
    }
    if (auto ran = store.query("UPDATE sessions SET seen_at = ? WHERE id_hash = ?", {std::to_string(now), id}); !ran)
        return ran.problem();
    return std::optional<Session>(Session{"", r[0], Reader{r[3], r[4], r[5], r[6]}});
}

Stored<void> end_session(Store& store, const std::string& cookie) {
    return Stored<void>::problem_of(store.query("DELETE FROM sessions WHERE id_hash = ?", {token_hash(cookie)}));
}

} // namespace sayso::collector::reports
