// The tablet's microphone, open only while a child records: SDL audio
// capture, mono at recording::kRate (SDL converts from what the hardware
// has), in short periods so a stop loses little. SDL's audio thread collects
// the samples and wakes the loop about ten times a second; the kiosk hands
// them to the flow between frames, and before a tap on stop is applied. Closing waits for SDL's audio
// thread, so it happens on a thread of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sayso::ui {

class Microphone {
  public:
    // `wake` is called on SDL's audio thread when samples arrive.
    explicit Microphone(std::function<void()> wake);
    ~Microphone();
    Microphone(const Microphone&) = delete;
    Microphone& operator=(const Microphone&) = delete;

    // Whether there seems to be a microphone: none listed, or the last try to
    // open one failed, is none (until SDL says a capture device was added).
    bool available() const { return available_; }
    const std::string& problem() const { return problem_; }
    void devices_changed(); // SDL_AUDIODEVICEADDED / REMOVED for a capture device
    // SDL_AUDIODEVICEREMOVED for `which`: true (and closed, and none available) when it was the open microphone.
    bool lost(std::uint32_t which);

    bool start(); // opens the default microphone; false (and problem()) without one
    void stop();
    bool open() const { return device_ != 0; }
    // The samples heard since the last call.
    std::vector<std::int16_t> take();

  private:
    static void heard(void* self, std::uint8_t* stream, int len);
    void join_closer();

    std::function<void()> wake_;
    bool audio_ = false; // SDL's audio subsystem is up
    bool available_ = false;
    std::string problem_;
    std::uint32_t device_ = 0;
    std::mutex mu_;
    std::vector<std::int16_t> pending_;
    std::size_t unannounced_ = 0; // samples since the loop was last woken
    std::thread closer_;
};

} // namespace sayso::ui
