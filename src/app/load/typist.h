// Typist: the keystrokes of one simulated person typing into a LoadClient's Y.Text. Each
// keystroke is one edit (one transaction, one update message): a character typed at the
// cursor, which then moves on; now and then a correction (the character before the cursor
// replaced) or a jump to a random place. Every edit inserts, so each has a clock range of
// its own for the EditLedger. Runs on the load run's thread, like its client.
#pragma once

#include <cstdint>
#include <memory>
#include <random>

#include "app/load/load_client.h"

namespace tandem::load {

class Typist {
 public:
  Typist(std::shared_ptr<LoadClient> client, uint64_t seed) : client_(std::move(client)), rng_(seed) {}

  //! Types one keystroke.
  Status keystroke() {
    const uint64_t len = client_->text_length();
    const uint32_t roll = pick(100);
    if (roll < kJumpPercent || cursor_ > len) cursor_ = len == 0 ? 0 : pick(static_cast<uint32_t>(len + 1));
    const bool correction = roll >= 100 - kCorrectionPercent && cursor_ > 0;
    const char ch = kAlphabet[pick(sizeof(kAlphabet) - 1)];
    const uint64_t at = correction ? cursor_ - 1 : cursor_;
    Status st = client_->edit(at, correction ? 1 : 0, std::string_view(&ch, 1));
    cursor_ = at + 1;
    return st;
  }

  //! Inserts a word of `length` letters at a random place (for building a document fast).
  Status insert_word(uint32_t length) {
    std::string word;
    for (uint32_t i = 0; i < length; ++i) word.push_back(kAlphabet[pick(26)]);
    const uint64_t len = client_->text_length();
    return client_->edit(pick(static_cast<uint32_t>(len + 1)), 0, word);
  }

  LoadClient& client() { return *client_; }

 private:
  static constexpr uint32_t kJumpPercent = 3;
  static constexpr uint32_t kCorrectionPercent = 10;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz      ";

  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

  std::shared_ptr<LoadClient> client_;
  std::mt19937_64 rng_;
  uint64_t cursor_ = 0;
};

}  // namespace tandem::load
