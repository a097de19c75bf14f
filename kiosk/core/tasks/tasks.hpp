// Slow or fallible work (a PIN hash, a pack install, a wipe, a settings file)
// runs here, off the thread that draws, one task after another; what each
// task found is handed back to the main loop, which applies it between frames.
// The shape follows Tracy's RunQueue and ImHex's TaskManager: work on a
// worker, the result as a continuation the owner of the state runs.
#pragma once

#include "result/result.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace sayso::tasks {

class Tasks {
  public:
    // `wake` is called on the worker after each task, so a loop asleep in
    // SDL_WaitEvent can be woken to deliver the result.
    explicit Tasks(std::function<void()> wake = {});
    // Runs the tasks already asked for to their end, then stops the worker;
    // their results are not delivered.
    ~Tasks();
    Tasks(const Tasks&) = delete;
    Tasks& operator=(const Tasks&) = delete;

    // Runs `work` on the worker; then `then(result)` on the thread that calls
    // deliver(). `what` names the task in words for the log, should it throw.
    // Work that throws is logged by name, and `then` still runs, so whatever
    // waits for the result (a "Checking..." flag) is never left waiting: with
    // a failure when T is a Result (its problem as default-made), else T{}.
    template <class T> void run(std::string what, std::function<T()> work, std::function<void(T)> then) {
        push(what, [what, work = std::move(work), then = std::move(then)]() -> std::function<void()> {
            std::shared_ptr<T> result;
            try {
                result = std::make_shared<T>(work());
            } catch (...) {
                failed(what);
                result = std::make_shared<T>(on_throw<T>());
            }
            return [then, result] { then(std::move(*result)); };
        });
    }
    void run(std::string what, std::function<void()> work, std::function<void()> then = {});

    // Runs the continuations of every task finished so far, in the order the
    // tasks were asked for; returns how many.
    int deliver();
    // A task is waiting, running, or finished and not yet delivered.
    bool busy() const;
    // Blocks until nothing is waiting or running, or `limit` passes; false
    // if the limit passed first. For the headless replay, which waits for
    // the kiosk as a person would.
    bool wait_done(std::chrono::milliseconds limit) const;

  private:
    template <class T> static T on_throw() {
        if constexpr (requires { typename T::problem_type; })
            return T(Failure<typename T::problem_type>{});
        else
            return T{};
    }
    using Job = std::function<std::function<void()>()>; // the work, returning its continuation
    static void failed(const std::string& what);        // logs the exception being handled
    void push(std::string what, Job job);
    void loop();

    std::function<void()> wake_;
    mutable std::mutex m_;
    mutable std::condition_variable cv_, done_cv_;
    std::deque<std::pair<std::string, Job>> queue_;
    std::deque<std::function<void()>> finished_;
    bool running_ = false, stop_ = false;
    std::thread worker_;
};

} // namespace sayso::tasks
