#include "result/result.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

struct Snag {
    enum class Kind { Missing, Broken };
    Kind kind = Kind::Broken;
    std::string detail;
};
std::string describe(const Snag& s) {
    return s.kind == Snag::Kind::Missing ? "It is not there." : "It is broken.";
}

sayso::Result<int, Snag> parse_digit(char c) {
    if (c == ' ') return Snag{Snag::Kind::Missing, "a space"};
    if (c < '0' || c > '9') return Snag{.detail = std::string(1, c)};
    return c - '0';
}

} // namespace

TEST_CASE("a result holds a value or a problem, and says the problem in its words") {
    const auto seven = parse_digit('7');
    REQUIRE(seven);
    CHECK(seven.ok());
    CHECK(*seven == 7);
    CHECK(seven.words().empty());
    CHECK_FALSE(seven.problem_if_any());

    const auto missing = parse_digit(' ');
    REQUIRE_FALSE(missing);
    CHECK(missing.problem().kind == Snag::Kind::Missing);
    CHECK(missing.problem().detail == "a space");
    CHECK(missing.words() == "It is not there.");
    CHECK(missing.value_or(-1) == -1);
    CHECK(parse_digit('x').words() == "It is broken.");
}

TEST_CASE("a result of nothing is success when empty, and a failure when it holds a problem") {
    sayso::Result<void, Snag> fine;
    CHECK(fine);
    CHECK(fine.words().empty());
    sayso::Result<void, Snag> failed = Snag{Snag::Kind::Missing, "gone"};
    CHECK_FALSE(failed);
    CHECK(failed.words() == "It is not there.");
    CHECK(sayso::Result<void, Snag>::problem_of(parse_digit('q')).problem().detail == "q");
    CHECK(sayso::Result<void, Snag>::problem_of(parse_digit('3')));
}

TEST_CASE("a result moves its value out, so it can carry what can't be copied") {
    auto make = [](bool ok) -> sayso::Result<std::unique_ptr<int>, Snag> {
        if (!ok) return Snag{};
        return std::make_unique<int>(42);
    };
    std::unique_ptr<int> held = make(true).value_or(nullptr);
    REQUIRE(held);
    CHECK(*held == 42);
    CHECK(make(false).value_or(nullptr) == nullptr);
    // A value type that could also take the problem is told apart with fail().
    sayso::Result<std::vector<Snag>, Snag> many = sayso::fail(Snag{Snag::Kind::Missing});
    CHECK_FALSE(many);
    sayso::Result<std::vector<Snag>, Snag> some = std::vector<Snag>{Snag{}, Snag{}};
    REQUIRE(some);
    CHECK(some->size() == 2);
}
