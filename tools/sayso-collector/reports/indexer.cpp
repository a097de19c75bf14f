#include "indexer.hpp"

#include "index.hpp"
#include "recode.hpp"

namespace sayso::collector::reports {

Indexer::Indexer(const std::string& spec, IndexerOptions options) : spec_(spec), o_(std::move(options)) {
    thread_ = std::thread([this] { loop(); });
}

Indexer::~Indexer() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    stopping_ = true;
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Indexer::wake() {
    {
        std::lock_guard lock(mu_);
        woken_ = true;
    }
    cv_.notify_all();
}

IndexStatus Indexer::status() const {
    std::lock_guard lock(mu_);
    return status_;
}

bool Indexer::wait_caught_up(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    const std::int64_t after = status_.runs + (status_.running ? 1 : 0);
    woken_ = true;
    cv_.notify_all();
    return cv_.wait_for(lock, limit, [&] {
        return stop_ || (status_.runs > after && !status_.running && status_.waiting == 0 && status_.problem.empty());
    });
}

Stored<std::int64_t> Indexer::count_waiting() {
    auto rows = store_->query("SELECT COUNT(*) FROM responses WHERE seq >"
                              " COALESCE((SELECT last_seq FROM report_state WHERE id = 1), 0)",
                              {});
    if (!rows) return rows.problem();
    return rows->empty() ? 0 : std::stoll((*rows)[0][0]);
}

Indexer::Run Indexer::run_once() {
    static const Vocabulary none;
    // Its own connection, opened here and again until it opens (the store
    // may be out of connections, or not up yet).
    if (!store_) {
        auto opened = open_store(spec_);
        if (!opened) return {.problem = "the store can't be opened for counting: " + opened.words()};
        store_ = std::move(*opened);
    }
    if (const auto waiting = count_waiting()) {
        std::lock_guard lock(mu_);
        status_.waiting = *waiting;
    }
    auto done = index_new(*store_, o_.keys, o_.words ? *o_.words : none, o_.min_group, "", kRowsPerRun, &stopping_);
    if (!done) return {.problem = done.problem().message};
    const auto left = count_waiting();
    if (!left) return {.problem = left.problem().message, .indexed = done->responses};
    return {.indexed = done->responses, .left = *left};
}

void Indexer::loop() {
    for (;;) {
        {
            std::lock_guard lock(mu_);
            if (stop_) return;
            status_.running = true;
        }
        const Run run = run_once();
        // Told before the status changes, so whoever waits on the status
        // finds it told. A failure is told once, until it changes or ends.
        if (o_.say) {
            if (!run.problem.empty() && run.problem != told_)
                o_.say("can't add new responses to the reports (retrying): " + run.problem);
            else if (run.problem.empty() && !told_.empty())
                o_.say("new responses are being added to the reports again");
            if (run.indexed > 0) o_.say(std::to_string(run.indexed) + " new response(s) indexed for reports");
        }
        told_ = run.problem;
        {
            std::lock_guard lock(mu_);
            status_.running = false;
            ++status_.runs;
            status_.problem = run.problem;
            if (run.problem.empty()) status_.waiting = run.left;
        }
        cv_.notify_all();
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, o_.every, [&] { return stop_ || woken_; });
        woken_ = false;
        if (stop_) return;
    }
}

} // namespace sayso::collector::reports
