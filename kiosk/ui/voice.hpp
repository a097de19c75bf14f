// Read-aloud that follows the screen: a new screen, question or language
// stops the last clip, and bands for children who can't read yet hear each
// screen as it appears. The sound itself is made by the Speaker's worker.
#pragma once

#include "flow/flow.hpp"
#include "speaker.hpp"

#include <string>

namespace sayso::ui {

class Voice {
  public:
    Voice();
    void follow(const flow::Flow& flow);
    Speaker& speaker() { return speaker_; }

  private:
    Speaker speaker_;
    std::string spoken_; // what is showing: screen, question and language
};

} // namespace sayso::ui
