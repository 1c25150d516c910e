package dev.sseauth.spring.boot.autoconfigure.app;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.config.CorsRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * A Spring WebFlux application on Spring Security's defaults: no security configuration at all (Spring
 * Boot's chain: every exchange authenticated, HTTP basic and a login form, CSRF protection on), one user
 * from properties, the Actuator, CORS for a partner's site. No database. Nothing in it mentions sse-auth.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration", // Boot 4
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"}) // Boot 3
@Import(ReactiveFeedController.class)
public class ReactiveApplication {
  /** The partner site allowed by the application's CORS configuration. */
  public static final String PARTNER = "https://partner.example";

  /** A partner's page may call the API from its own origin. */
  @Bean
  WebFluxConfigurer cors() {
    return new WebFluxConfigurer() {
      @Override
      public void addCorsMappings(CorsRegistry registry) {
        registry.addMapping("/**").allowedOrigins(PARTNER).allowedMethods("GET", "POST")
            .allowedHeaders("Authorization", "Last-Event-ID");
      }
    };
  }
}
