// Waiting in a test for something another thread or process does: checked
// every few milliseconds against a deadline, so a regression fails the test
// in words instead of hanging it.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

namespace test {

// Waits until `done()` holds; fails the test, saying what was awaited, once `limit` has passed.
template <class Done>
void eventually(const std::string& what, Done done, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            FAIL("still waiting, after " << limit.count() << " ms, for " << what);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace test
