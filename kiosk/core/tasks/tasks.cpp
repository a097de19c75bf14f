#include "tasks/tasks.hpp"

#include <cstdio>
#include <exception>

namespace sayso::tasks {

Tasks::Tasks(std::function<void()> wake) : wake_(std::move(wake)), worker_([this] { loop(); }) {}

Tasks::~Tasks() {
    {
        std::lock_guard lock(m_);
        stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

void Tasks::run(std::string what, std::function<void()> work, std::function<void()> then) {
    push(what, [what, work = std::move(work), then = std::move(then)]() -> std::function<void()> {
        try {
            work();
        } catch (...) {
            failed(what);
        }
        return then ? then : [] {};
    });
}

void Tasks::failed(const std::string& what) {
    try {
        throw;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sayso: %s failed: %s\n", what.c_str(), e.what());
    } catch (...) {
        std::fprintf(stderr, "sayso: %s failed\n", what.c_str());
    }
}

void Tasks::push(std::string what, Job job) {
    {
        std::lock_guard lock(m_);
        queue_.emplace_back(std::move(what), std::move(job));
    }
    cv_.notify_all();
}

void Tasks::loop() {
    std::unique_lock lock(m_);
    for (;;) {
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return; // stopping, and everything asked for is done
        auto [what, job] = std::move(queue_.front());
        queue_.pop_front();
        running_ = true;
        lock.unlock();
        std::function<void()> then;
        try {
            then = job();
        } catch (...) { // a continuation that could not even be made
            failed(what);
            then = [] {};
        }
        lock.lock();
        finished_.push_back(std::move(then));
        if (wake_) {
            lock.unlock();
            wake_();
            lock.lock();
        }
        // Done only once the owner has been woken, so wait_done() never
        // returns ahead of the wake it would otherwise race.
        running_ = false;
        done_cv_.notify_all();
    }
}

int Tasks::deliver() {
    std::deque<std::function<void()>> ready;
    {
        std::lock_guard lock(m_);
        ready.swap(finished_);
    }
    for (auto& then : ready)
        then();
    return static_cast<int>(ready.size());
}

bool Tasks::busy() const {
    std::lock_guard lock(m_);
    return running_ || !queue_.empty() || !finished_.empty();
}

bool Tasks::wait_done(std::chrono::milliseconds limit) const {
    std::unique_lock lock(m_);
    return done_cv_.wait_for(lock, limit, [this] { return !running_ && queue_.empty(); });
}

} // namespace sayso::tasks
