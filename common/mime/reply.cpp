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
  Trimmer(std::string_view text, const ReplyContext& context) : context_(context) {
    line_.reserve(util::count_lines(text));
    util::for_each_line(text, [&](std::string_view text_of_line) {
      Line& l = line_.emplace_back();
      l.text = text_of_line;
      std::string_view line = markers::strip(text_of_line);
      l.kind = line.empty() ? Kind::blank : line.front() == '>' ? Kind::quoted : Kind::text;
      // Every marker has a colon or starts with a dash or an underscore:
      // the other lines are looked at no further (most lines of a body).
      l.candidate = l.kind == Kind::text && line.size() <= markers::max_marker_length &&
                    (line.front() == '-' || line.front() == '_' || line.find(':') != std::string_view::npos ||
                     line.find("\xEF\xBC\x9A") != std::string_view::npos);
      if (l.candidate) l.role = markers::header_line(line);
      l.candidate_end = !line.empty() && (line.back() == ':' || line.back() == '-' || line.ends_with("\xEF\xBC\x9A"));
    });
    join_wrapped_quotes();
    find_attributions();
  }

  TrimmedReply run() {
    std::size_t end = signature_below_quote(line_.size());
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
  // A client that wraps long lines after quoting them leaves a quoted
  // line's end unquoted between two quoted lines: it is quoted too, when
  // the line above was long and stopped mid-sentence.
  void join_wrapped_quotes() {
    for (std::size_t i = 1; i + 1 < line_.size(); ++i) {
      if (line_[i].kind != Kind::text || line_[i - 1].kind != Kind::quoted || line_[i + 1].kind != Kind::quoted)
        continue;
      std::string_view above = markers::strip(line_[i - 1].text);
      if (above.size() < 60 || above.find_last_of(".?!:") == above.size() - 1) continue;
      line_[i].kind = Kind::quoted;
      line_[i].candidate = false;
      line_[i].role.reset();
    }
  }

  // An attribution at each line where one starts: on that line alone or
  // wrapped over the next one or two.
  void find_attributions() {
    std::size_t n = line_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (line_[i].kind != Kind::text) continue;
      Attribution alone = line_[i].candidate ? markers::attribution(line_[i].text) : Attribution::none;
      if (alone != Attribution::none) {
        line_[i].attribution = alone;
        line_[i].attribution_end = i + 1;
      }
      // "... <a@example.org<mailto:" is a date and an address ending with
      // ':', but "a@example.org>> wrote:" below ends the attribution.
      // A wrapped attribution ends in a colon (or Zoho's dashes) one or two
      // lines below: most lines are no start of one, at one look.
      auto may_end = [&](std::size_t k) { return k < n && line_[k].candidate_end; };
      if (alone == Attribution::certain || i + 1 >= n || line_[i + 1].kind == Kind::blank ||
          !(may_end(i + 1) || may_end(i + 2)) || !markers::may_start_attribution(line_[i].text))
        continue;
      std::string joined(markers::strip(line_[i].text));
      for (std::size_t k = i + 1; k < n && k <= i + 2 && line_[k].kind != Kind::blank; ++k) {
        std::string_view next = markers::strip(line_[k].text);
        // "... <john@example.com\n> wrote:": Gmail wrapped before the '>'
        // that closes the address, and the line looks quoted.
        bool quoted = line_[k].kind == Kind::quoted;
        if (quoted) next = markers::strip(next.substr(1));
        if (quoted && (next.size() > 60 || joined.back() == '>')) break;
        if (joined.size() + 1 + next.size() > markers::max_marker_length) break;
        // Gmail wraps "<name> <\naddress> wrote:" with nothing between.
        if (!joined.empty() && joined.back() != '<' && joined.back() != ':') joined += ' ';
        if (quoted) joined += '>';
        joined.append(next);
        if (Attribution a = markers::attribution(joined); a != Attribution::none) {
          line_[i].attribution = a;
          line_[i].attribution_end = k + 1;
          i = k;
          break;
        }
        if (quoted) break;
      }
    }
  }

  // The next line at or after i that is not blank, or end.
  std::size_t next_nonblank(std::size_t i, std::size_t end) const {
    while (i < end && line_[i].kind == Kind::blank) ++i;
    return i;
  }

  bool header_block_at(std::size_t i, std::size_t end) const {
    if (!line_[i].role) return false;
    std::size_t headers = 0, others = 0;
    bool from = false;
    for (std::size_t j = i; j < end && j < i + header_block_span; ++j) {
      if (line_[j].role) {
        ++headers;
        from = from || *line_[j].role == HeaderRole::from;
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
      if (!line_[i].candidate) continue;
      std::string_view line = line_[i].text;
      if (markers::is_original_message(line) || markers::is_forward_marker(line) || header_block_at(i, end)) return i;
      if (markers::is_rule(line)) {
        std::size_t next = next_nonblank(i + 1, end);
        if (next < end && next <= i + 3 && line_[next].role) return i;
      }
    }
    return end;
  }

  // The forward the message is, when the first marker opens one and no
  // attribution before it says that the message is a reply.
  std::optional<std::size_t> forward_at(std::size_t marker, std::size_t end) const {
    if (marker >= end) return std::nullopt;
    bool forward = markers::is_forward_marker(line_[marker].text) || markers::is_forward_subject(context_.subject);
    if (!forward) return std::nullopt;
    for (std::size_t i = 0; i < marker; ++i)
      if (line_[i].attribution == Attribution::certain || line_[i].kind == Kind::quoted) return std::nullopt;
    return marker;
  }

  // A "-- " block or a mobile signature line below the quote, at the very
  // end: the replier's, put there by clients that sign below. Returns the
  // end of what is left.
  std::size_t signature_below_quote(std::size_t end) {
    std::size_t last = end;
    while (last > 0 && line_[last - 1].kind == Kind::blank) --last;
    if (last == 0) return end;
    std::size_t from = end;
    for (std::size_t i = last; i-- > 0 && last - i <= 15;) {
      if (line_[i].kind == Kind::quoted) break;
      if (markers::is_signature_separator(line_[i].text)) {
        from = i;
        break;
      }
    }
    if (from == end && markers::is_signature_line(line_[last - 1].text)) from = last - 1;
    if (from == end) return end;
    std::size_t above = from;
    while (above > 0 && line_[above - 1].kind == Kind::blank) --above;
    if (above == 0 || line_[above - 1].kind != Kind::quoted) return end;
    mark(from, end, To::signature);
    return from;
  }

  // A certain attribution followed by no '>' line up to marker: the quoted
  // message follows it unquoted (Yahoo, Zoho, Outlook for Mac).
  std::size_t unquoted_original(std::size_t marker) const {
    std::size_t last_quote = 0;  // one past the last '>' line before marker
    for (std::size_t i = marker; i-- > 0;)
      if (line_[i].kind == Kind::quoted) {
        last_quote = i + 1;
        break;
      }
    for (std::size_t i = 0; i < marker; ++i)
      if (line_[i].attribution == Attribution::certain && line_[i].attribution_end <= marker &&
          line_[i].attribution_end >= last_quote)
        return i;
    return marker;
  }

  // An attribution whose lines end at line j and that '>' lines follow
  // (after blank lines): its first line; else nullopt.
  std::optional<std::size_t> attribution_ending_at(std::size_t j, std::size_t end) const {
    // A wrapped attribution spans at most three lines.
    for (std::size_t back = 0; back < 3 && back <= j; ++back) {
      std::size_t i = j - back;
      std::size_t after = line_[i].attribution_end;
      if (line_[i].attribution == Attribution::none || after < j + 1) continue;
      if (after > j + 1) return i;  // its last line looks quoted ("> wrote:"), and is the quote's
      std::size_t next = next_nonblank(after, end);
      if (next < end && line_[next].kind == Kind::quoted) return i;
      return std::nullopt;
    }
    return std::nullopt;
  }

  // The quote at the end of the region, with its attribution (top posting).
  std::size_t quote_tail(std::size_t end) const {
    std::size_t i = end;
    bool quote = false;
    while (i > 0) {
      Kind k = line_[i - 1].kind;
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
      if (line_[i].kind == Kind::quoted) last_quote = i;
    }
    if (last_quote == end) return 0;
    for (std::size_t i = 0; i < end; ++i) {
      if (line_[i].kind != Kind::text) continue;
      if (line_[i].attribution != Attribution::none) {
        if (attribution_ending_at(line_[i].attribution_end - 1, end)) {
          i = line_[i].attribution_end - 1;
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
      if (line_[i].attribution == Attribution::none || !attribution_ending_at(line_[i].attribution_end - 1, end))
        continue;
      std::size_t after = line_[i].attribution_end;
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
    while (last > from && (line_[last - 1].kind == Kind::blank || line_[last - 1].to != To::text)) --last;
    if (last == from) return;
    for (std::size_t i = last; i-- > from;) {
      if (line_[i].kind == Kind::quoted) break;
      if (line_[i].to == To::text && markers::is_signature_separator(line_[i].text)) {
        mark_text(i, last, To::signature);
        return;
      }
    }
    std::size_t i = last;
    while (i > from && line_[i - 1].to == To::text && line_[i - 1].kind == Kind::text &&
           markers::is_signature_line(line_[i - 1].text) && last - i < 2)
      --i;
    if (i < last) mark_text(i, last, To::signature);
  }

  void mark(std::size_t from, std::size_t to, To where) {
    for (std::size_t i = from; i < to; ++i) line_[i].to = where;
  }

  void mark_text(std::size_t from, std::size_t to, To where) {
    for (std::size_t i = from; i < to; ++i)
      if (line_[i].to == To::text) line_[i].to = where;
  }

  bool has_text() const {
    for (std::size_t i = 0; i < line_.size(); ++i)
      if (line_[i].to == To::text && line_[i].kind != Kind::blank) return true;
    return false;
  }

  TrimmedReply keep_all() {
    mark(0, line_.size(), To::text);
    return result();
  }

  // The lines of each destination, in order; pieces of one destination
  // that were apart are separated by a blank line, leading and trailing
  // blank lines dropped.
  std::string collect(To where) const {
    std::string out;
    bool apart = false;
    std::size_t blanks = 0;
    for (std::size_t i = 0; i < line_.size(); ++i) {
      if (line_[i].to != where) {
        if (line_[i].to != To::dropped) apart = !out.empty();
        continue;
      }
      if (line_[i].kind == Kind::blank) {
        if (!out.empty()) ++blanks;
        continue;
      }
      if (!out.empty()) out.append(apart ? 2 : blanks + 1, '\n');
      blanks = 0;
      apart = false;
      out.append(line_[i].text);
    }
    return out;
  }

  TrimmedReply result() const { return {collect(To::text), collect(To::quoted), collect(To::signature)}; }

  // What is known of each line.
  struct Line {
    std::string_view text;
    Kind kind = Kind::text;
    To to = To::text;
    bool candidate = false;      // may be a marker (see the constructor)
    bool candidate_end = false;  // may end a wrapped attribution
    Attribution attribution = Attribution::none;
    std::optional<HeaderRole> role;
    std::size_t attribution_end = 0;  // one past the attribution's last line
  };

  std::vector<Line> line_;
  ReplyContext context_;
};

}  // namespace

TrimmedReply trim_reply(std::string_view text, const ReplyContext& context) { return Trimmer(text, context).run(); }

}  // namespace forumgate::mime
