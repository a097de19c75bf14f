// Opening the collector's store, and what a store call gives, in a test that
// needs them: a failure stops the test with the store's words.
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

// What a store call gives when the test needs it to work: a failure stops the
// test with the store's words.
template <class T> T held(sayso::collector::Stored<T> got) {
    REQUIRE_MESSAGE(got.ok(), got.words());
    return std::move(*got);
}

} // namespace test
