#include "tasks/frame_guard.hpp"
#include "tasks/tasks.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace sayso::tasks;
using namespace std::chrono_literals;

TEST_CASE("a task's work runs off the calling thread, and its result is applied by the caller, in order") {
    std::atomic<int> woken{0};
    Tasks tasks([&] { ++woken; });
    const auto main = std::this_thread::get_id();
    std::vector<std::thread::id> ran_on;
    std::vector<int> applied;
    std::mutex m;
    for (int i = 0; i < 5; ++i)
        tasks.run<int>(
            "counting",
            [&, i] {
                std::lock_guard lock(m);
                ran_on.push_back(std::this_thread::get_id());
                return i * 10;
            },
            [&](int v) {
                CHECK(std::this_thread::get_id() == main);
                applied.push_back(v);
            });
    REQUIRE(tasks.wait_done(10s));
    CHECK(tasks.busy()); // finished, not yet delivered
    CHECK(applied.empty());
    CHECK(tasks.deliver() == 5);
    CHECK_FALSE(tasks.busy());
    CHECK(applied == std::vector<int>{0, 10, 20, 30, 40});
    CHECK(woken == 5);
    for (auto id : ran_on)
        CHECK(id != main);
}

TEST_CASE("a task that throws is named in the log and the tasks after it still run") {
    Tasks tasks;
    bool after = false;
    tasks.run("failing on purpose", [] { throw std::runtime_error("no"); });
    tasks.run(
        "after it", [] {}, [&] { after = true; });
    REQUIRE(tasks.wait_done(10s));
    CHECK(tasks.deliver() == 2);
    CHECK(after);
}

TEST_CASE("a task whose work throws still hands its caller a result, T{}, so nothing waits for it forever") {
    Tasks tasks;
    int got = -1;
    tasks.run<int>(
        "failing on purpose", []() -> int { throw std::runtime_error("no"); }, [&](int v) { got = v; });
    REQUIRE(tasks.wait_done(10s));
    CHECK(tasks.deliver() == 1);
    CHECK(got == 0);
}

namespace {
struct Trouble {
    int code = -1; // -1: nothing known, as after a throw
};
std::string describe(const Trouble& t) {
    return "trouble " + std::to_string(t.code);
}
} // namespace

TEST_CASE("a task whose work throws hands a Result's caller a failure, never a success") {
    Tasks tasks;
    std::optional<sayso::Result<void, Trouble>> done;
    std::optional<sayso::Result<int, Trouble>> counted;
    tasks.run<sayso::Result<void, Trouble>>(
        "failing on purpose", []() -> sayso::Result<void, Trouble> { throw std::runtime_error("no"); },
        [&](sayso::Result<void, Trouble> r) { done = r; });
    tasks.run<sayso::Result<int, Trouble>>(
        "failing on purpose", []() -> sayso::Result<int, Trouble> { throw std::runtime_error("no"); },
        [&](sayso::Result<int, Trouble> r) { counted = r; });
    REQUIRE(tasks.wait_done(10s));
    CHECK(tasks.deliver() == 2);
    REQUIRE(done);
    REQUIRE(counted);
    CHECK_FALSE(*done);
    CHECK_FALSE(*counted);
    CHECK(done->words() == "trouble -1");
}

TEST_CASE("stopping the tasks finishes the ones asked for first") {
    std::atomic<int> done{0};
    {
        Tasks tasks;
        for (int i = 0; i < 3; ++i)
            tasks.run("a slow one", [&] {
                std::this_thread::sleep_for(20ms);
                ++done;
            });
    }
    CHECK(done == 3);
}

TEST_CASE("slow work inside a frame is caught, and the same work elsewhere is not") {
    blocking("outside any frame");
    std::vector<std::string> caught;
    {
        DrawingFrame frame;
        blocking("reading the answers database");
        // A worker thread is never the frame's.
        std::thread([] { blocking("on a worker"); }).join();
        caught = frame.caught();
    }
    CHECK(caught == std::vector<std::string>{"reading the answers database"});
    DrawingFrame later;
    CHECK(later.caught().empty());
}
