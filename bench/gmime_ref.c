/* bench/gmime_ref.c: the GMime 3 reference for bench/mimeparse. For each
 * FILE: parse the message, decode its subject and sender, and decode every
 * text part to UTF-8 (g_mime_text_part_get_text: transfer encoding and
 * charset), the way a mail reader would show it. Prints the number of
 * messages and text bytes, so that nothing is optimized away. */
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

static size_t text_bytes;

static void each_part(GMimeObject* parent, GMimeObject* part, gpointer data) {
  (void)parent;
  (void)data;
  if (GMIME_IS_TEXT_PART(part)) {
    char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
    if (text) text_bytes += strlen(text);
    g_free(text);
  } else if (GMIME_IS_PART(part)) {
    /* attachments: decode them too, as mimeparse hashes them */
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(part));
    if (content) {
      GMimeStream* null = g_mime_stream_null_new();
      g_mime_data_wrapper_write_to_stream(content, null);
      g_object_unref(null);
    }
  }
}

int main(int argc, char** argv) {
  g_mime_init();
  size_t messages = 0;
  for (int i = 1; i < argc; i++) {
    GMimeStream* stream = g_mime_stream_fs_open(argv[i], O_RDONLY, 0, NULL);
    if (!stream) continue;
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage* message = g_mime_parser_construct_message(parser, NULL);
    if (message) {
      const char* subject = g_mime_message_get_subject(message);
      if (subject) text_bytes += strlen(subject);
      InternetAddressList* from = g_mime_message_get_from(message);
      if (from) text_bytes += internet_address_list_length(from);
      g_mime_message_foreach(message, each_part, NULL);
      messages++;
      g_object_unref(message);
    }
    g_object_unref(parser);
    g_object_unref(stream);
  }
  printf("%zu messages, %zu text bytes\n", messages, text_bytes);
  return 0;
}
