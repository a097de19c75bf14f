// The report index kept up to date in the background: a thread of its own,
// on a store connection of its own, indexes what arrived (index_new) as it
// arrives, so no page view ever waits for it. Pages say how many responses
// are still to be counted, and why they can't be when the index fails.
#pragma once

#include "keys.hpp"
#include "store.hpp"
#include "vocabulary.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace sayso::collector::reports {

struct IndexerOptions {
    std::vector<SealKeyPair> keys;
    const Vocabulary* words = nullptr; // outlives the indexer
    int min_group = 5;
    // How often it looks for new arrivals (a cheap read) when nothing woke it.
    std::chrono::milliseconds every{1000};
    // Told what each run indexed, or why it failed (from the indexer's thread).
    std::function<void(const std::string&)> say;
};

struct IndexStatus {
    std::int64_t waiting = 0; // responses stored but not yet in the index
    bool running = false;     // a run is under way
    std::string problem;      // why the last run failed; empty when it didn't
    std::int64_t runs = 0;    // runs finished, failed or not
};

class Indexer {
  public:
    // Starts; it opens its own connection to `spec` (and tries again, saying
    // why in the status, while it can't).
    Indexer(const std::string& spec, IndexerOptions options);
    ~Indexer();
    Indexer(const Indexer&) = delete;
    Indexer& operator=(const Indexer&) = delete;

    // Look for new arrivals now.
    void wake();
    IndexStatus status() const;
    // Until a run that began after this call has finished without a problem
    // and left nothing waiting, or `limit`: for tools and tests that must see
    // every arrival counted. False at the limit.
    bool wait_caught_up(std::chrono::milliseconds limit);

  private:
    // One run: what it indexed and what is left, or why it failed.
    struct Run {
        std::string problem;
        std::int64_t indexed = 0, left = 0;
    };
    Run run_once();
    void loop();
    Stored<std::int64_t> count_waiting();
    std::string spec_;
    IndexerOptions o_;
    std::unique_ptr<Store> store_; // the indexer's thread only
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false, woken_ = false;
    std::atomic<bool> stopping_{false}; // ends an index run between two transactions
    IndexStatus status_;
    std::string told_; // the failure last told, if any (the indexer's thread only)
    std::thread thread_;
};

} // namespace sayso::collector::reports
