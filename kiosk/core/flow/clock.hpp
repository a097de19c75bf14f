// Time as the flow sees it, injected so tests and headless replays can move it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sayso::flow {

using Millis = std::chrono::milliseconds;

class Clock {
  public:
    virtual ~Clock() = default;
    // Monotonic time for timers (idle, confirmation, thank-you).
    virtual Millis monotonic() const = 0;
    // Wall time, ms since the Unix epoch (UTC), for what is stored.
    virtual std::int64_t wall_ms() const = 0;
};

class SystemClock final : public Clock {
  public:
    Millis monotonic() const override {
        return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch());
    }
    std::int64_t wall_ms() const override {
        return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
    }
};

// A clock that moves only when told to; wall time starts at the real time.
// One thread moves it; any thread may read it (the kiosk's tasks do).
class ManualClock final : public Clock {
  public:
    ManualClock() : wall_start_(SystemClock().wall_ms()) {}
    explicit ManualClock(std::int64_t wall_start) : wall_start_(wall_start) {}
    Millis monotonic() const override { return now_.load(); }
    std::int64_t wall_ms() const override { return wall_start_ + (now_.load() - kStart).count(); }
    void advance(Millis d) { now_.store(now_.load() + d); }

  private:
    static constexpr Millis kStart{1'000'000}; // 1000 s, so "never touched" (0) is clearly in the past
    std::int64_t wall_start_;
    std::atomic<Millis> now_{kStart};
};

} // namespace sayso::flow
