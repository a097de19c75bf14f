// Token buckets by key (a tablet, an address): `burst` requests at once,
// refilled at `per_minute`. One for deliveries, enrolments and sign-ins alike.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <string>

namespace sayso::http {

class RateLimit {
  public:
    RateLimit(double per_minute, double burst) : per_minute_(per_minute), burst_(burst) {}

    // Takes one request from `key`'s bucket: 0 if allowed, else the seconds to wait. per_minute 0: no limit.
    int take(const std::string& key) {
        if (per_minute_ <= 0) return 0;
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mu_);
        if (buckets_.size() >= kPruneAt && now - pruned_at_ >= std::chrono::seconds(1)) {
            prune(now);
            pruned_at_ = now;
        }
        // Past the cap (keys from more addresses than any real site sees at
        // once), new keys share one bucket: memory stays bounded, and a flood
        // of new keys is limited as one.
        auto [it, fresh] = buckets_.try_emplace(held_as(key), Bucket{burst_, now});
        Bucket& b = it->second;
        if (!fresh) {
            b.tokens = refilled(b, now);
            b.at = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return 0;
        }
        return wait_for(b.tokens);
    }

    // Whether `key` could take one now, taking nothing: 0 if so, else the seconds to wait.
    int peek(const std::string& key) {
        if (per_minute_ <= 0) return 0;
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mu_);
        auto it = buckets_.find(held_as(key));
        if (it == buckets_.end()) return 0;
        const double tokens = refilled(it->second, now);
        return tokens >= 1 ? 0 : wait_for(tokens);
    }

  private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point at;
    };
    // Many keys (addresses, say) would grow the map without end: full buckets
    // are the same as none, so they go.
    // Pruning walks every bucket, so it runs at most once a second.
    static constexpr std::size_t kPruneAt = 10'000;
    static constexpr std::size_t kMaxKeys = 100'000;
    static inline const std::string kOverflow = std::string("\0overflow", 9);

    // The bucket a key is kept under (see take()).
    const std::string& held_as(const std::string& key) const {
        return buckets_.size() >= kMaxKeys && !buckets_.count(key) ? kOverflow : key;
    }
    // Seconds until a bucket holding `tokens` has one.
    int wait_for(double tokens) const {
        return std::max(1, static_cast<int>(std::ceil((1 - tokens) * 60.0 / per_minute_)));
    }
    double refilled(const Bucket& b, std::chrono::steady_clock::time_point now) const {
        const double secs = std::chrono::duration<double>(now - b.at).count();
        return std::min(burst_, b.tokens + secs * per_minute_ / 60.0);
    }
    void prune(std::chrono::steady_clock::time_point now) {
        for (auto it = buckets_.begin(); it != buckets_.end();)
            it = refilled(it->second, now) >= burst_ ? buckets_.erase(it) : std::next(it);
    }

    double per_minute_, burst_;
    std::mutex mu_;
    std::map<std::string, Bucket> buckets_;
    std::chrono::steady_clock::time_point pruned_at_{};
};

} // namespace sayso::http
