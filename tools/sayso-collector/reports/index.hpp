// The report index: every response and answer the collector holds, as rows
// reports can count in the database (tone, skip, and every field a report
// filters on). Sealed answers are opened in memory with the collector's keys;
// only their tone is kept, never their words.
#pragma once

#include "keys.hpp"
#include "store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sayso::collector::reports {

// 1 positive, 0 middling, -1 negative for a rating (faces, yes/no); nullopt
// for a skip or an answer that is not a rating (pictures picked, words).
std::optional<int> tone(const std::string& kind, bool skipped, const std::vector<std::string>& options);

struct Indexed {
    std::int64_t responses = 0, answers = 0;
};

// Indexes the responses that arrived since the last call. Stops, naming the
// key, at an answer none of `keys` opens (nothing of that batch is indexed).
std::optional<StoreError> index_new(Store& store, const std::vector<SealKeyPair>& keys, Indexed& done);

} // namespace sayso::collector::reports
