package dev.raftboot.demo;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * Requests the demo refuses before anything reaches the store or the raft node: each gets a 4xx
 * in the demo's error shape ({@code {"error": ...}}) with a message saying what is expected.
 */
class KeyValueControllerBadInputTests {

  // No store or node behind it: a request that got past the checks would fail with a 500.
  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(new KeyValueController(null, null, null, Duration.ofSeconds(1)))
          .setControllerAdvice(new ApiErrors())
          .build();

  @Test
  void putWithoutABody() throws Exception {
    mvc.perform(put("/kv/greeting").contentType(MediaType.TEXT_PLAIN))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("takes the value as its body")));
  }

  @Test
  void compareAndSetWithMalformedJson() throws Exception {
    mvc.perform(post("/kv/greeting/cas").contentType(MediaType.APPLICATION_JSON).content("{\"expected\":"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("{\"expected\": ..., \"value\": ...}")));
  }

  @Test
  void valueLongerThanTheLimit() throws Exception {
    mvc.perform(
            put("/kv/greeting")
                .contentType(MediaType.TEXT_PLAIN)
                .content("x".repeat(KeyValueController.MAX_VALUE_LENGTH + 1)))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("at most")));
  }

  @Test
  void wrongMethodAnswersInTheDemosErrorShape() throws Exception {
    mvc.perform(post("/kv/greeting").contentType(MediaType.TEXT_PLAIN).content("hello"))
        .andExpect(status().isMethodNotAllowed())
        .andExpect(header().string("Allow", containsString("PUT")))
        .andExpect(jsonPath("$.error", containsString("POST is not supported here; use DELETE, GET, PUT")))
        .andExpect(jsonPath("$.status").doesNotExist());
  }

  @Test
  void wrongContentTypeAnswersInTheDemosErrorShape() throws Exception {
    mvc.perform(post("/kv/greeting/cas").contentType(MediaType.TEXT_PLAIN).content("x"))
        .andExpect(status().isUnsupportedMediaType())
        .andExpect(jsonPath("$.error", containsString("Content-Type text/plain is not supported here")))
        .andExpect(jsonPath("$.error", containsString("application/json")))
        .andExpect(jsonPath("$.status").doesNotExist());
  }
}
