#pragma once
// A shortcut past gumbo for simple HTML: the tree gumbo would build, built
// directly, as GumboNodes that the walkers read as they read gumbo's.
//
// gumbo is most of the time mimeparse spends on a message with HTML, and
// most mail HTML is simple: elements well nested, closed in order, from a
// small set whose HTML5 tree-building rules are "insert and push" (WHATWG
// HTML 13.2.6.4.7, "in body"). For such input the tree is the token
// structure itself. Whatever falls outside the subset (an element closed
// out of order or implicitly, a table, a <pre>, a named character
// reference other than the common ones, a control character, invalid
// UTF-8, ...) makes build() return false, and gumbo parses it all.
// tests/unit/html_test.cpp compares both ways on generated documents.

#include <gumbo.h>

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace forumgate::mime::html {

class SimpleTree {
 public:
  SimpleTree() = default;
  SimpleTree(const SimpleTree&) = delete;
  SimpleTree& operator=(const SimpleTree&) = delete;

  // Whether html is simple; if so, body() is its <body>, valid as long as
  // this tree and html are.
  bool build(std::string_view html);

  const GumboNode* body() const { return body_; }

 private:
  enum class Mode { before_head, in_head, after_head, in_body, after_body };

  // An element, and the index of its list of children in children_.
  struct Open {
    GumboNode* node;
    std::size_t children;
  };

  // A new element, the last child of parent (none for the root).
  Open element(GumboTag tag, const Open* parent);
  void append(const Open& parent, GumboNode* child);
  void open_body();

  const Open& current() const { return open_.back(); }
  GumboTag current_tag() const { return open_.back().node->v.element.tag; }
  bool is_open(GumboTag tag) const;

  // Text up to the next '<', character references decoded; in the body a
  // text node, before it only white space (else the body begins).
  bool text();
  void add_text(std::string t);

  bool markup();
  // name, name=value, name="value", name='value' at s_[i]; i moves past it.
  bool attribute(std::size_t& i, std::vector<void*>& out);
  bool start_tag(GumboTag tag, std::vector<void*> attributes, bool self_closing);
  bool end_tag(GumboTag tag);
  // The text of a <title> or <style> in the head, up to its end tag.
  bool skip_raw_text(GumboTag tag);

  std::string_view s_;
  std::size_t pos_ = 0;
  Mode mode_ = Mode::before_head;
  bool html_seen_ = false, head_seen_ = false, seen_markup_ = false;
  std::size_t formatting_ = 0;
  Open html_{};
  GumboNode* body_ = nullptr;
  std::vector<Open> open_;
  std::deque<GumboNode> nodes_;
  std::deque<GumboAttribute> attributes_storage_;
  std::deque<std::string> strings_;
  std::vector<std::pair<GumboNode*, std::vector<void*>>> children_;
  std::vector<std::pair<GumboNode*, std::vector<void*>>> attributes_;
};

}  // namespace forumgate::mime::html
