// Opening the collector's store in a test that needs it open: a failure
// stops the test with the store's words.
#pragma once

#include "store.hpp"

#include <doctest/doctest.h>
#include <memory>
#include <string>

namespace test {

inline std::unique_ptr<sayso::collector::Store> open_collector_store(const std::string& spec,
                                                                     int schema = sayso::collector::kLatestSchema) {
    auto opened = sayso::collector::open_store(spec, schema);
    REQUIRE_MESSAGE(opened.ok(), opened.words());
    return std::move(*opened);
}

} // namespace test
