#include "mime/reply.hpp"

#include <optional>
#include <vector>

#include "mime/reply_markers.hpp"
#include "util/text.hpp"

namespace forumgate::mime {

namespace {

using markers::Attribution;
using patterns::HeaderRole;

enum class Kind : unsigned char { blank, quoted, text };

// Where each line goes.
enum class To : unsigned char { text, quoted, signature, dropped };

// A header block of a quoted message begins at a line: three header lines
// or more, one of them "From:" (in any of the languages), within a few
// lines (a long "To:" wraps; some clients put blank lines between fields).
constexpr std::size_t header_block_span = 16;

class Trimmer {
 public:
  Trimmer(std::string_view text, const ReplyContext& context) : lines_(util::split_lines(text)), context_(context) {
    std::size_t n = lines_.size();
    kind_.resize(n);
    role_.resize(n);
    candidate_.assign(n, 0);
    attribution_.assign(n, Attribution::none);
    attribution_end_.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      std::string_view line = markers::strip(lines_[i]);
      kind_[i] = line.empty() ? Kind::blank : line.front() == '>' ? Kind::quoted : Kind::text;
      // Every marker has a colon or starts with a dash or an underscore:
      // the other lines are looked at no further (most lines of a body).
      candidate_[i] = kind_[i] == Kind::text && line.size() <= markers::max_marker_length &&
                      (line.front() == '-' || line.front() == '_' || line.find(':') != std::string_view::npos ||
                       line.find("\xEF\xBC\x9A") != std::string_view::npos);
      if (candidate_[i]) role_[i] = markers::header_line(line);
    }
    find_attributions();
    to_.assign(n, To::text);
  }

  TrimmedReply run() {
    std::size_t end = signature_below_quote(lines_.size());
    std::size_t marker = first_block_marker(end);
    std::optional<std::size_t> forward = forward_at(marker, end);
    if (forward) {
      signature_of(0, *forward);
    } else {
      mark(marker, end, To::quoted);
      std::size_t region = unquoted_original(marker);
      mark(region, marker, To::quoted);
      std::size_t tail = quote_tail(region);
      mark(tail, region, To::quoted);
      std::size_t text_from = bottom_or_interleaved(tail);
      signature_of(text_from, tail);
    }
    if (!has_text()) return keep_all();
    return result();
  }

 private:
  // An attribution at each line where one starts: on that line alone or
  // wrapped over the next one or two.
  void find_attributions() {
    std::size_t n = lines_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (kind_[i] != Kind::text) continue;
      Attribution alone = candidate_[i] ? markers::attribution(lines_[i]) : Attribution::none;
      if (alone != Attribution::none) {
        attribution_[i] = alone;
        attribution_end_[i] = i + 1;
      }
      // "... <a@example.org<mailto:" is a date and an address ending with
      // ':', but "a@example.org>> wrote:" below ends the attribution.
      if (alone == Attribution::certain || i + 1 >= n || kind_[i + 1] != Kind::text ||
          !markers::may_start_attribution(lines_[i]))
        continue;
      std::string joined(markers::strip(lines_[i]));
      for (std::size_t k = i + 1; k < n && k <= i + 2 && kind_[k] == Kind::text; ++k) {
        std::string_view next = markers::strip(lines_[k]);
        if (joined.size() + 1 + next.size() > markers::max_marker_length) break;
        // Gmail wraps "<name> <\naddress> wrote:" with nothing between.
        if (!joined.empty() && joined.back() != '<' && joined.back() != ':') joined += ' ';
        joined.append(next);
        if (Attribution a = markers::attribution(joined); a != Attribution::none) {
          attribution_[i] = a;
          attribution_end_[i] = k + 1;
          i = k;
          break;
        }
      }
    }
  }

  // The next line at or after i that is not blank, or end.
  std::size_t next_nonblank(std::size_t i, std::size_t end) const {
    while (i < end && kind_[i] == Kind::blank) ++i;
    return i;
  }

  bool header_block_at(std::size_t i, std::size_t end) const {
    if (!role_[i]) return false;
    std::size_t headers = 0, others = 0;
    bool from = false;
    for (std::size_t j = i; j < end && j < i + header_block_span; ++j) {
      if (role_[j]) {
        ++headers;
        from = from || *role_[j] == HeaderRole::from;
        others = 0;
      } else if (++others > 2) {
        break;
      }
    }
    return headers >= 3 && from;
  }

  // The first line that opens a quoted or forwarded message whatever
  // follows it: a separator, a header block, a forward marker; or end.
  std::size_t first_block_marker(std::size_t end) {
    for (std::size_t i = 0; i < end; ++i) {
      if (!candidate_[i]) continue;
      std::string_view line = lines_[i];
      if (markers::is_original_message(line) || markers::is_forward_marker(line) || header_block_at(i, end)) return i;
      if (markers::is_rule(line)) {
        std::size_t next = next_nonblank(i + 1, end);
        if (next < end && next <= i + 3 && role_[next]) return i;
      }
    }
    return end;
  }

  // The forward the message is, when the first marker opens one and no
  // attribution before it says that the message is a reply.
  std::optional<std::size_t> forward_at(std::size_t marker, std::size_t end) const {
    if (marker >= end) return std::nullopt;
    bool forward = markers::is_forward_marker(lines_[marker]) || markers::is_forward_subject(context_.subject);
    if (!forward) return std::nullopt;
    for (std::size_t i = 0; i < marker; ++i)
      if (attribution_[i] == Attribution::certain || kind_[i] == Kind::quoted) return std::nullopt;
    return marker;
  }

  // A "-- " block or a mobile signature line below the quote, at the very
  // end: the replier's, put there by clients that sign below. Returns the
  // end of what is left.
  std::size_t signature_below_quote(std::size_t end) {
    std::size_t last = end;
    while (last > 0 && kind_[last - 1] == Kind::blank) --last;
    if (last == 0) return end;
    std::size_t from = end;
    for (std::size_t i = last; i-- > 0 && last - i <= 15;) {
      if (kind_[i] == Kind::quoted) break;
      if (markers::is_signature_separator(lines_[i])) {
        from = i;
        break;
      }
    }
    if (from == end && markers::is_signature_line(lines_[last - 1])) from = last - 1;
    if (from == end) return end;
    std::size_t above = from;
    while (above > 0 && kind_[above - 1] == Kind::blank) --above;
    if (above == 0 || kind_[above - 1] != Kind::quoted) return end;
    mark(from, end, To::signature);
    return from;
  }

  // A certain attribution followed by no '>' line up to marker: the quoted
  // message follows it unquoted (Yahoo, Zoho, Outlook for Mac).
  std::size_t unquoted_original(std::size_t marker) const {
    std::vector<char> quote_after(marker + 1, 0);
    for (std::size_t i = marker; i-- > 0;) quote_after[i] = quote_after[i + 1] || kind_[i] == Kind::quoted;
    for (std::size_t i = 0; i < marker; ++i)
      if (attribution_[i] == Attribution::certain && attribution_end_[i] <= marker && !quote_after[attribution_end_[i]])
        return i;
    return marker;
  }

  // An attribution whose lines end at line j and that '>' lines follow
  // (after blank lines): its first line; else nullopt.
  std::optional<std::size_t> attribution_ending_at(std::size_t j, std::size_t end) const {
    // A wrapped attribution spans at most three lines.
    for (std::size_t back = 0; back < 3 && back <= j; ++back) {
      std::size_t i = j - back;
      if (attribution_[i] == Attribution::none || attribution_end_[i] != j + 1) continue;
      std::size_t next = next_nonblank(j + 1, end);
      if (next < end && kind_[next] == Kind::quoted) return i;
      return std::nullopt;
    }
    return std::nullopt;
  }

  // The quote at the end of the region, with its attribution (top posting).
  std::size_t quote_tail(std::size_t end) const {
    std::size_t i = end;
    bool quote = false;
    while (i > 0) {
      Kind k = kind_[i - 1];
      if (k == Kind::blank) {
        --i;
      } else if (k == Kind::quoted) {
        quote = true;
        --i;
      } else if (auto start = quote ? attribution_ending_at(i - 1, end) : std::nullopt) {
        i = *start;
      } else {
        break;
      }
    }
    if (!quote) return end;
    return next_nonblank(i, end);
  }

  // Above the tail: a quote with the text below it (bottom posting), or
  // answers between quoted lines. Returns where the last run of the text
  // begins (for its signature).
  std::size_t bottom_or_interleaved(std::size_t end) {
    std::size_t last_quote = end, first_text = end;
    for (std::size_t i = 0; i < end; ++i) {
      if (kind_[i] == Kind::quoted) last_quote = i;
    }
    if (last_quote == end) return 0;
    for (std::size_t i = 0; i < end; ++i) {
      if (kind_[i] != Kind::text) continue;
      if (attribution_[i] != Attribution::none) {
        if (attribution_ending_at(attribution_end_[i] - 1, end)) {
          i = attribution_end_[i] - 1;
          continue;
        }
      }
      first_text = i;
      break;
    }
    if (first_text > last_quote) {  // bottom posting
      mark(0, first_text, To::quoted);
      return first_text;
    }
    for (std::size_t i = 0; i < end; ++i) {  // interleaved: attributions go
      if (attribution_[i] == Attribution::none || !attribution_ending_at(attribution_end_[i] - 1, end)) continue;
      std::size_t after = attribution_end_[i];
      mark(i, after, To::quoted);
      std::size_t next = next_nonblank(after, end);
      mark(after, next, To::dropped);
      i = next - 1;
    }
    return last_quote + 1;
  }

  // The signature at the end of the text between from and end: the last
  // "-- " block, else mobile signature lines.
  void signature_of(std::size_t from, std::size_t end) {
    std::size_t last = end;
    while (last > from && (kind_[last - 1] == Kind::blank || to_[last - 1] != To::text)) --last;
    if (last == from) return;
    for (std::size_t i = last; i-- > from;) {
      if (kind_[i] == Kind::quoted) break;
      if (to_[i] == To::text && markers::is_signature_separator(lines_[i])) {
        mark_text(i, last, To::signature);
        return;
      }
    }
    std::size_t i = last;
    while (i > from && to_[i - 1] == To::text && kind_[i - 1] == Kind::text &&
           markers::is_signature_line(lines_[i - 1]) && last - i < 2)
      --i;
    if (i < last) mark_text(i, last, To::signature);
  }

  void mark(std::size_t from, std::size_t to, To where) {
    for (std::size_t i = from; i < to; ++i) to_[i] = where;
  }

  void mark_text(std::size_t from, std::size_t to, To where) {
    for (std::size_t i = from; i < to; ++i)
      if (to_[i] == To::text) to_[i] = where;
  }

  bool has_text() const {
    for (std::size_t i = 0; i < lines_.size(); ++i)
      if (to_[i] == To::text && kind_[i] != Kind::blank) return true;
    return false;
  }

  TrimmedReply keep_all() {
    mark(0, lines_.size(), To::text);
    return result();
  }

  // The lines of each destination, in order; pieces of one destination
  // that were apart are separated by a blank line, leading and trailing
  // blank lines dropped.
  std::string collect(To where) const {
    std::string out;
    bool apart = false;
    std::size_t blanks = 0;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (to_[i] != where) {
        if (to_[i] != To::dropped) apart = !out.empty();
        continue;
      }
      if (kind_[i] == Kind::blank) {
        if (!out.empty()) ++blanks;
        continue;
      }
      if (!out.empty()) out.append(apart ? 2 : blanks + 1, '\n');
      blanks = 0;
      apart = false;
      out.append(lines_[i]);
    }
    return out;
  }

  TrimmedReply result() const { return {collect(To::text), collect(To::quoted), collect(To::signature)}; }

  std::vector<std::string_view> lines_;
  ReplyContext context_;
  std::vector<Kind> kind_;
  std::vector<std::optional<HeaderRole>> role_;
  std::vector<char> candidate_;  // may be a marker (see the constructor)
  std::vector<Attribution> attribution_;
  std::vector<std::size_t> attribution_end_;
  std::vector<To> to_;
};

}  // namespace

TrimmedReply trim_reply(std::string_view text, const ReplyContext& context) { return Trimmer(text, context).run(); }

}  // namespace forumgate::mime
