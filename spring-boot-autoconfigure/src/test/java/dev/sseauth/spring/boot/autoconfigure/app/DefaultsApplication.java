package dev.sseauth.spring.boot.autoconfigure.app;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** An application on Spring Security's defaults: no security configuration at all, one user from properties. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(FeedController.class)
public class DefaultsApplication {}
