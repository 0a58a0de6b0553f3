#include "forum/auth.hpp"

#include <string_view>

#include "mime/header.hpp"
#include "util/text.hpp"

namespace forumgate::forum {

namespace {

// s without RFC 5322 comments ("(...)", nesting allowed).
std::string without_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) out += c;
  }
  return out;
}

// d is domain or a parent of it (relaxed alignment, RFC 7489 3.1.1).
bool aligned(std::string d, const std::string& domain) {
  d = mime::to_lower(d);
  return domain == d || (domain.size() > d.size() && domain.compare(domain.size() - d.size(), d.size(), d) == 0 &&
                         domain[domain.size() - d.size() - 1] == '.');
}

}  // namespace

bool authenticated(const std::vector<std::string>& results, const std::string& authserv_id,
                   const std::string& from_address) {
  const std::string domain = mime::to_lower(from_address.substr(from_address.rfind('@') + 1));
  for (const auto& raw : results) {
    std::string value = without_comments(raw);
    size_t semi = value.find(';');
    std::string id = std::string(util::trim(value.substr(0, semi)));
    id = id.substr(0, id.find_first_of(" \t"));  // an optional version follows
    if (semi == std::string::npos || !mime::iequals(id, authserv_id)) continue;
    // Each result: "method=result prop=value ...", separated by ';'.
    for (size_t pos = semi + 1; pos < value.size();) {
      size_t end = value.find(';', pos);
      if (end == std::string::npos) end = value.size();
      std::string method, result, header_d, header_i, header_from;
      std::string words = value.substr(pos, end - pos);
      pos = end + 1;
      for (size_t w = 0; w < words.size();) {
        while (w < words.size() && (words[w] == ' ' || words[w] == '\t' || words[w] == '\n')) ++w;
        size_t e = words.find_first_of(" \t\n", w);
        if (e == std::string::npos) e = words.size();
        std::string word = words.substr(w, e - w);
        w = e;
        size_t eq = word.find('=');
        if (eq == std::string::npos) continue;
        std::string key = mime::to_lower(word.substr(0, eq)), val = word.substr(eq + 1);
        if (method.empty()) {
          method = key;
          result = mime::to_lower(val);
        } else if (key == "header.d") {
          header_d = val;
        } else if (key == "header.i") {
          header_i = val.substr(val.rfind('@') + 1);
        } else if (key == "header.from") {
          header_from = mime::to_lower(val);
        }
      }
      if (result != "pass") continue;
      // DMARC's pass counts for the domain it names, which must be ours.
      if (method == "dmarc" && header_from == domain) return true;
      if (method == "dkim" &&
          ((!header_d.empty() && aligned(header_d, domain)) || (!header_i.empty() && aligned(header_i, domain))))
        return true;
    }
  }
  return false;
}

}  // namespace forumgate::forum
