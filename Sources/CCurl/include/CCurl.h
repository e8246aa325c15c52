// Typed, non-variadic entry points to libcurl's variadic option and info functions,
// so that Swift (which cannot call C variadics) can reach them. Nothing else lives here.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

/// The callback shape shared by CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);

// curl_easy_setopt, one function per argument type.
CURLcode ccurl_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode ccurl_easy_setopt_pointer(CURL *easy, CURLoption option, const void *value);
CURLcode ccurl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_data_callback(CURL *easy, CURLoption option, ccurl_data_callback value);

// curl_multi_setopt, one function per argument type.
CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode ccurl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value);
CURLMcode ccurl_multi_setopt_socket_callback(CURLM *multi, curl_socket_callback value);
CURLMcode ccurl_multi_setopt_timer_callback(CURLM *multi, curl_multi_timer_callback value);

// curl_easy_getinfo, one function per result type.
CURLcode ccurl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_double(CURL *easy, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value);
CURLcode ccurl_easy_getinfo_pointer(CURL *easy, CURLINFO info, void **value);
CURLcode ccurl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value);

#endif
