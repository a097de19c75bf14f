#include "access/gate.hpp"
#include "open_store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

using namespace sayso;
using test::TempDir;

namespace {

std::unique_ptr<storage::Store> open(const std::filesystem::path& db) {
    auto s = test::open_store(db);
    return s;
}

// The outcome of checking `pin`; a storage or hashing problem fails the test.
access::Gate::Attempt attempt(access::Gate& gate, access::Role role, const std::string& pin) {
    const auto checked = gate.check(role, pin);
    REQUIRE_MESSAGE(checked.ok(), checked.words());
    return *checked;
}

} // namespace

TEST_CASE("lockouts grow with wrong tries: none for three, at least 5 minutes after ten") {
    CHECK(access::lockout_ms(1) == 0);
    CHECK(access::lockout_ms(2) == 0);
    CHECK(access::lockout_ms(3) == 30'000);
    CHECK(access::lockout_ms(4) == 60'000);
    CHECK(access::lockout_ms(10) >= 5 * 60'000);
    CHECK(access::lockout_ms(1000) > access::lockout_ms(10)); // capped, never overflowing
    CHECK(access::lockout_ms(1000) < 31LL * 24 * 3600 * 1000);
}

TEST_CASE("a new PIN has 4 to 8 digits") {
    CHECK(access::check_new_pin("1234"));
    CHECK(access::check_new_pin("12345678"));
    for (const char* bad : {"123", "123456789", "12a4"}) {
        INFO(bad);
        const auto refused = access::check_new_pin(bad);
        REQUIRE_FALSE(refused);
        CHECK(refused.problem().kind == access::PinProblem::Kind::Refused);
        CHECK(refused.words().find("A PIN has") == 0);
    }
}

TEST_CASE("the PIN is kept only as a slow salted hash, and checked against it") {
    TempDir tmp;
    flow::ManualClock clock(1'700'000'000'000);
    auto store = open(tmp / "k.db");
    access::Gate gate(*store, clock);
    CHECK_FALSE(gate.has_pin(access::Role::Practitioner));
    CHECK(attempt(gate, access::Role::Practitioner, "1234").outcome == access::Gate::Outcome::NoPin);
    REQUIRE(gate.set_pin(access::Role::Practitioner, "2468"));
    CHECK(gate.has_pin(access::Role::Practitioner));
    CHECK_FALSE(gate.has_pin(access::Role::Admin));
    CHECK(attempt(gate, access::Role::Practitioner, "2468").outcome == access::Gate::Outcome::Open);
    CHECK(attempt(gate, access::Role::Practitioner, "1357").outcome == access::Gate::Outcome::Wrong);
    CHECK(attempt(gate, access::Role::Admin, "2468").outcome == access::Gate::Outcome::NoPin);

    const auto rec = store->pin("practitioner");
    REQUIRE(rec);
    REQUIRE(*rec);
    CHECK((*rec)->hash.rfind("$argon2id$", 0) == 0);
    CHECK((*rec)->hash.find("2468") == std::string::npos);
    // Salted: the same PIN hashes differently each time.
    const auto one = access::hash_pin("2468"), two = access::hash_pin("2468");
    REQUIRE(one);
    REQUIRE(two);
    CHECK(*one != *two);
}

TEST_CASE("wrong PINs lock the pad, and the lockout survives a restart") {
    TempDir tmp;
    flow::ManualClock clock(1'700'000'000'000);
    {
        auto store = open(tmp / "k.db");
        access::Gate gate(*store, clock);
        REQUIRE(gate.set_pin(access::Role::Practitioner, "2468"));
        CHECK(attempt(gate, access::Role::Practitioner, "0000").outcome == access::Gate::Outcome::Wrong);
        CHECK(attempt(gate, access::Role::Practitioner, "0000").outcome == access::Gate::Outcome::Wrong);
        auto third = attempt(gate, access::Role::Practitioner, "0000");
        CHECK(third.outcome == access::Gate::Outcome::LockedOut);
        CHECK(third.locked_for_ms == 30'000);
        // While locked, even the right PIN does not open it.
        CHECK(attempt(gate, access::Role::Practitioner, "2468").outcome == access::Gate::Outcome::LockedOut);
    }
    // The tablet restarts.
    {
        auto store = open(tmp / "k.db");
        access::Gate gate(*store, clock);
        CHECK(gate.locked_for_ms(access::Role::Practitioner) == 30'000);
        clock.advance(flow::Millis(30'000));
        CHECK(gate.locked_for_ms(access::Role::Practitioner) == 0);
        // Seven more wrong tries, each after its lockout: ten in all.
        for (int i = 4; i <= 10; ++i) {
            auto a = attempt(gate, access::Role::Practitioner, "0000");
            CHECK(a.outcome == access::Gate::Outcome::LockedOut);
            CHECK(a.locked_for_ms == access::lockout_ms(i));
            clock.advance(flow::Millis(a.locked_for_ms - 1));
            CHECK(attempt(gate, access::Role::Practitioner, "2468").outcome == access::Gate::Outcome::LockedOut);
            clock.advance(flow::Millis(1));
        }
        CHECK(access::lockout_ms(10) >= 5 * 60'000);
        // The right PIN after the lockout opens it and clears the count.
        CHECK(attempt(gate, access::Role::Practitioner, "2468").outcome == access::Gate::Outcome::Open);
        CHECK(attempt(gate, access::Role::Practitioner, "0000").outcome == access::Gate::Outcome::Wrong);
    }
}

TEST_CASE("sayso-admin pin set reads the PIN twice and refuses a mismatch or a bad PIN") {
    TempDir tmp;
    const auto db = (tmp / "k.db").string();
    auto run_with = [&](const std::string& input) {
        test::write_file(tmp / "in.txt", input);
        // The shell feeds standard input; the program is the real one.
        return test::run(
            {"/bin/sh", "-c", std::string(SAYSO_ADMIN) + " pin set --db " + db + " < " + (tmp / "in.txt").string()});
    };
    CHECK(run_with("1234\n1243\n").code == 1);
    auto bad = run_with("12\n12\n");
    CHECK(bad.code == 1);
    CHECK(bad.err.find("4 to 8 digits") != std::string::npos);
    CHECK(run_with("8642\n8642\n").code == 0);
    flow::ManualClock clock;
    auto store = open(db);
    access::Gate gate(*store, clock);
    CHECK(attempt(gate, access::Role::Practitioner, "8642").outcome == access::Gate::Outcome::Open);
}

TEST_CASE("a wrong try that can't be kept is a storage problem in words, not a quiet wrong PIN") {
    TempDir tmp;
    flow::ManualClock clock(1'700'000'000'000);
    {
        auto store = open(tmp / "k.db");
        access::Gate gate(*store, clock);
        REQUIRE(gate.set_pin(access::Role::Practitioner, "2468"));
    }
    // Read-only: the count of wrong tries can't be saved, so the try is not answered.
    auto store = test::open_store(tmp / "k.db", storage::Store::Mode::ReadOnly);
    access::Gate gate(*store, clock);
    const auto checked = gate.check(access::Role::Practitioner, "0000");
    REQUIRE_FALSE(checked);
    CHECK(checked.problem().kind == access::PinProblem::Kind::Storage);
    REQUIRE(checked.problem().storage);
    CHECK(checked.problem().storage->kind == storage::StorageProblem::Kind::ReadOnly);
    CHECK(checked.words().find("read-only") != std::string::npos);
    // The right PIN still opens it: nothing needs keeping.
    CHECK(attempt(gate, access::Role::Practitioner, "2468").outcome == access::Gate::Outcome::Open);
    // And a new PIN can't be set, in words.
    const auto set = gate.set_pin(access::Role::Practitioner, "1357");
    REQUIRE_FALSE(set);
    CHECK(set.problem().kind == access::PinProblem::Kind::Storage);
}
