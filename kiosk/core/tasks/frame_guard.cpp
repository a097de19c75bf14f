#include "tasks/frame_guard.hpp"

namespace sayso::tasks {

namespace {
// The frame being drawn on this thread, if any. Per thread, so work on a
// worker is never mistaken for the frame's.
thread_local DrawingFrame* drawing = nullptr;
} // namespace

DrawingFrame::DrawingFrame() : outer_(drawing) {
    drawing = this;
}
DrawingFrame::~DrawingFrame() {
    drawing = outer_;
}

void blocking(const char* what) {
    if (drawing && drawing->caught_.size() < 32) drawing->caught_.emplace_back(what);
}

} // namespace sayso::tasks
