// Opening the kiosk's answers file in a test that needs it open: a failure
// stops the test with the problem in words and its detail.
#pragma once

#include "storage/store.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <memory>

namespace test {

inline std::unique_ptr<sayso::storage::Store>
open_store(const std::filesystem::path& db, sayso::storage::Store::Mode mode = sayso::storage::Store::Mode::ReadWrite,
           const char* vfs = nullptr) {
    auto opened = sayso::storage::Store::open(db, mode, vfs);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? std::string() : opened.words() + " (" + opened.problem().detail + ")"));
    return std::move(*opened);
}

} // namespace test
