#pragma once
// The bounded front end to gumbo: a document parsed as a browser parses it,
// in time and memory linear in its size however deep its nesting, and the
// few ways the walkers read the tree (gumbo's, or SimpleTree's in gumbo's
// shape). Input and output are UTF-8.

#include <gumbo.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace forumgate::mime::html {

// html parsed by gumbo with no error recorded, after start tags nested
// deeper than gumbo handles in linear time were dropped (with their end
// tags). What the tree holds is still to be allow-listed by its reader.
class GumboDocument {
 public:
  explicit GumboDocument(std::string_view html);
  ~GumboDocument();
  GumboDocument(const GumboDocument&) = delete;
  GumboDocument& operator=(const GumboDocument&) = delete;

  const GumboNode* body() const { return body_; }

 private:
  GumboOptions options_ = kGumboDefaultOptions;
  std::string input_;
  GumboOutput* output_ = nullptr;
  const GumboNode* body_ = nullptr;
};

// Where a tag that starts at html[i] ends, and a comment ("<!--") that
// starts there: as early as gumbo's tokenizer may end them, so that no
// scan of ours takes for a tag or a comment what gumbo takes for markup.
std::size_t tag_end(std::string_view html, std::size_t i);
std::size_t comment_end(std::string_view html, std::size_t i);

inline std::string_view tag_name(const GumboNode* node) {
  const GumboElement& e = node->v.element;
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  return {};  // unknown elements: never allowed, and no special meaning
}

inline const char* attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

// Walks the tree without recursion: enter(node) for every node, and
// leave(node) for the elements whose children were walked (enter returned
// true). gumbo's trees can be as deep as its input is nested.
template <typename Enter, typename Leave>
void walk(const GumboNode* root, Enter enter, Leave leave) {
  struct Frame {
    const GumboNode* node;
    unsigned next;
  };
  std::vector<Frame> stack;
  if (root && enter(root)) stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector& children = top.node->v.element.children;
    if (top.next == children.length) {
      const GumboNode* done = top.node;
      stack.pop_back();
      leave(done);
      continue;
    }
    auto* child = static_cast<const GumboNode*>(children.data[top.next++]);
    if (enter(child) && child->type == GUMBO_NODE_ELEMENT) stack.push_back({child, 0});
  }
}

}  // namespace forumgate::mime::html
