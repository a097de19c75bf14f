#include "access/gate.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

using namespace sayso;
using test::TempDir;

namespace {

std::unique_ptr<storage::Store> open(const std::filesystem::path& db) {
    std::optional<storage::StorageProblem> p;
    auto s = storage::Store::open(db, p);
    REQUIRE(s);
    return s;
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
    CHECK(access::check_new_pin("1234").empty());
    CHECK(access::check_new_pin("12345678").empty());
    CHECK_FALSE(access::check_new_pin("123").empty());
    CHECK_FALSE(access::check_new_pin("123456789").empty());
    CHECK_FALSE(access::check_new_pin("12a4").empty());
}

TEST_CASE("the PIN is kept only as a slow salted hash, and checked against it") {
    TempDir tmp;
    flow::ManualClock clock(1'700'000'000'000);
    auto store = open(tmp / "k.db");
    access::Gate gate(*store, clock);
    CHECK_FALSE(gate.has_pin(access::Role::Practitioner));
    CHECK(gate.check(access::Role::Practitioner, "1234").result == access::Gate::Result::NoPin);
    REQUIRE_FALSE(gate.set_pin(access::Role::Practitioner, "2468"));
    CHECK(gate.has_pin(access::Role::Practitioner));
    CHECK_FALSE(gate.has_pin(access::Role::Admin));
    CHECK(gate.check(access::Role::Practitioner, "2468").result == access::Gate::Result::Open);
    CHECK(gate.check(access::Role::Practitioner, "1357").result == access::Gate::Result::Wrong);
    CHECK(gate.check(access::Role::Admin, "2468").result == access::Gate::Result::NoPin);

    std::optional<storage::PinRecord> rec;
    REQUIRE_FALSE(store->pin("practitioner", rec));
    REQUIRE(rec);
    CHECK(rec->hash.rfind("$argon2id$", 0) == 0);
    CHECK(rec->hash.find("2468") == std::string::npos);
    // Salted: the same PIN hashes differently each time.
    CHECK(access::hash_pin("2468") != access::hash_pin("2468"));
}

TEST_CASE("wrong PINs lock the pad, and the lockout survives a restart") {
    TempDir tmp;
    flow::ManualClock clock(1'700'000'000'000);
    {
        auto store = open(tmp / "k.db");
        access::Gate gate(*store, clock);
        REQUIRE_FALSE(gate.set_pin(access::Role::Practitioner, "2468"));
        CHECK(gate.check(access::Role::Practitioner, "0000").result == access::Gate::Result::Wrong);
        CHECK(gate.check(access::Role::Practitioner, "0000").result == access::Gate::Result::Wrong);
        auto third = gate.check(access::Role::Practitioner, "0000");
        CHECK(third.result == access::Gate::Result::LockedOut);
        CHECK(third.locked_for_ms == 30'000);
        // While locked, even the right PIN does not open it.
        CHECK(gate.check(access::Role::Practitioner, "2468").result == access::Gate::Result::LockedOut);
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
            auto a = gate.check(access::Role::Practitioner, "0000");
            CHECK(a.result == access::Gate::Result::LockedOut);
            CHECK(a.locked_for_ms == access::lockout_ms(i));
            clock.advance(flow::Millis(a.locked_for_ms - 1));
            CHECK(gate.check(access::Role::Practitioner, "2468").result == access::Gate::Result::LockedOut);
            clock.advance(flow::Millis(1));
        }
        CHECK(access::lockout_ms(10) >= 5 * 60'000);
        // The right PIN after the lockout opens it and clears the count.
        CHECK(gate.check(access::Role::Practitioner, "2468").result == access::Gate::Result::Open);
        CHECK(gate.check(access::Role::Practitioner, "0000").result == access::Gate::Result::Wrong);
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
    CHECK(gate.check(access::Role::Practitioner, "8642").result == access::Gate::Result::Open);
}
