// Delivery in tests: a tablet's settings that retry quickly, and running the
// real client until its outbox is empty.
#pragma once

#include "client.hpp"
#include "config.hpp"

#include <chrono>
#include <doctest/doctest.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace test {

// Delivery settings for `endpoint` with `token`: every wait short (50 ms to 0.4 s), 2 s timeouts.
inline sayso::sync::Config quick_delivery(const std::string& endpoint, const std::string& token) {
    auto c = sayso::sync::parse_config(nlohmann::json{{"endpoint", endpoint},
                                                      {"token", token},
                                                      {"interval_seconds", 0.05},
                                                      {"retry_start_seconds", 0.05},
                                                      {"retry_cap_seconds", 0.4},
                                                      {"connect_timeout_seconds", 2},
                                                      {"timeout_seconds", 2}}
                                           .dump(),
                                       "test");
    REQUIRE_MESSAGE(c, c.words());
    return *c;
}

// Runs the client until the outbox is empty, or `seconds` pass; its last status.
inline sayso::sync::Status drain(const std::filesystem::path& db, const sayso::sync::Config& c, double seconds = 60) {
    sayso::sync::Client client(db, c);
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    sayso::sync::Status s;
    while (std::chrono::steady_clock::now() < until) {
        s = client.status();
        if (s.waiting == 0 && s.problem == sayso::sync::Status::Problem::None) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return s;
}

} // namespace test
