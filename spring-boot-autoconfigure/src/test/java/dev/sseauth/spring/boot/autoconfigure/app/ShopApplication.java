package dev.sseauth.spring.boot.autoconfigure.app;

import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * A typical application with its own Spring Security configuration: everything needs a login (a form, HTTP
 * basic, or an OAuth2 resource server's JWT), CSRF protection on; the Actuator for an operator role over
 * basic; CORS for a partner's site. Nothing in it mentions sse-auth.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(FeedController.class)
public class ShopApplication {
  /** The HS256 key the test's identity provider signs access tokens with. */
  /** The partner site allowed by the application's CORS configuration. */
  public static final String PARTNER = "https://partner.example";
  public static final byte[] JWT_KEY = "an identity provider's key of 256 bits!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  @Bean
  @Order(1)
  SecurityFilterChain operations(HttpSecurity http) throws Exception {
    return http.securityMatcher("/actuator/**")
        .authorizeHttpRequests(a -> a.anyRequest().hasRole("OPS"))
        .httpBasic(Customizer.withDefaults())
        .csrf(c -> c.disable())
        .build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain application(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .formLogin(Customizer.withDefaults())
        .httpBasic(Customizer.withDefaults())
        .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()))
        .cors(Customizer.withDefaults())
        .build();
  }

  /** A partner's page may call the API from its own origin. */
  @Bean
  CorsConfigurationSource corsConfigurationSource() {
    CorsConfiguration c = new CorsConfiguration();
    c.setAllowedOrigins(List.of(PARTNER));
    c.setAllowedMethods(List.of("GET", "POST"));
    c.setAllowedHeaders(List.of("Authorization", "Last-Event-ID"));
    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
    source.registerCorsConfiguration("/**", c);
    return source;
  }

  @Bean
  JwtDecoder jwtDecoder() {
    return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(JWT_KEY, "HmacSHA256")).build();
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice-pw").roles("USER").build(),
        User.withUsername("ops").password("{noop}ops-pw").roles("OPS").build());
  }
}
