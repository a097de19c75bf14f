// No frame waits on a disk, a network or a password hash. Code that does
// such work says so with `blocking("what")`; while a frame is being drawn on
// the same thread (a `DrawingFrame` is alive there), the call is caught and
// named, so the replay harness can fail the run that did it.
#pragma once

#include <string>
#include <vector>

namespace sayso::tasks {

class DrawingFrame {
  public:
    DrawingFrame();
    ~DrawingFrame();
    DrawingFrame(const DrawingFrame&) = delete;
    DrawingFrame& operator=(const DrawingFrame&) = delete;
    // What blocking work this frame did, in the order it was done.
    const std::vector<std::string>& caught() const { return caught_; }

  private:
    friend void blocking(const char* what);
    DrawingFrame* outer_;
    std::vector<std::string> caught_;
};

// Called by slow work before it starts; a no-op unless a frame is being drawn on this thread.
void blocking(const char* what);

} // namespace sayso::tasks
