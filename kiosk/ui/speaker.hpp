// Read-aloud: words become sound on a worker thread (a pack's recorded clip,
// else espeak-ng) and play through SDL audio. Never blocks the screen; a new
// request, or a new screen, stops whatever was playing. The audio device is
// open only while speaking, so an idle kiosk has no audio thread running.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sayso::ui {

class Speaker {
  public:
    struct Item {
        std::string text;
        std::string voice; // espeak-ng voice; empty if the language has none
        // Finds the recorded clip to play first, if any; called on the
        // speaker's worker, since looking for it touches the disk.
        std::function<std::filesystem::path()> clip;
        // Or sound already made: a child's recording, played back to them.
        std::shared_ptr<const std::vector<std::int16_t>> pcm;
        int pcm_rate = 0;
    };

    Speaker(); // opens the default audio device; without one, read-aloud is off
    ~Speaker();
    Speaker(const Speaker&) = delete;
    Speaker& operator=(const Speaker&) = delete;

    bool available() const { return available_; }
    const std::string& problem() const { return problem_; }

    void say(std::vector<Item> items); // replaces anything playing or waiting
    void stop();
    bool busy() const; // still making or playing sound
    std::uint64_t samples_played() const { return queued_samples_; }

  private:
    void work();
    bool open(); // the device is open only while there is sound to play (mu_ held)
    void close();

    bool available_ = false;
    std::uint32_t device_ = 0;
    int rate_ = 22050;
    std::string problem_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> pending_;
    std::uint64_t generation_ = 0;
    bool working_ = false;
    bool quit_ = false;
    std::atomic<std::uint64_t> queued_samples_{0};
    std::thread thread_;
};

} // namespace sayso::ui
