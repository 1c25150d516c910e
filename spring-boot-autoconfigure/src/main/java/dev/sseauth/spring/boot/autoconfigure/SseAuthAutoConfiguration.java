package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SseAuthListener;
import dev.sseauth.micrometer.SseAuthMetrics;
import dev.sseauth.servlet.SseAuthFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * sse-auth in a Spring Boot application, from its {@code sseauth.*} properties alone:
 *
 * <ul>
 *   <li>the {@link SseAuth} bean, configured from every {@code sseauth.*} key the environment holds
 *       (see {@link SpringProperties}) and closed on shutdown; it backs off if the application defines
 *       its own;
 *   <li>in a servlet application, the {@link SseAuthFilter} (bean {@code sseAuthFilter}, unless the
 *       application registers an {@code SseAuthFilter} of its own, as a bean or in a
 *       {@code FilterRegistrationBean}), async-supported, on REQUEST and ASYNC dispatches, ordered right
 *       after Spring Security's filter chain ({@code spring.security.filter.order}, -100 by default in Boot
 *       3 and 4, plus one), so the ticket endpoint sees the principal Spring Security found;
 *   <li>with Micrometer and a {@code MeterRegistry} bean, the meters of {@link SseAuthMetrics}: the
 *       {@link SseAuthListener} bean {@code sseAuthMetrics}, unless the application defines a listener.
 * </ul>
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration", // Boot 4
    "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration"}) // Boot 3
@ConditionalOnClass(SseAuth.class)
public class SseAuthAutoConfiguration {
  /** Spring Security's filter chain's order unless {@code spring.security.filter.order} says otherwise. */
  static final int SECURITY_FILTER_ORDER = -100;

  /**
   * The core, from the environment's {@code sseauth.*} settings.
   *
   * @throws IllegalArgumentException naming the key, on a missing, unknown or bad setting: startup fails
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SseAuth sseAuth(ConfigurableEnvironment environment, ObjectProvider<SseAuthListener> listener) {
    SseAuthConfig.Builder b = SseAuthConfig.fromMap(SpringProperties.read(environment)).toBuilder();
    SseAuthListener l = listener.getIfUnique();
    if (l != null) {
      b.listener(l);
    }
    return SseAuth.create(b.build());
  }

  /** The filter, in a servlet application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(SseAuthFilter.class)
  static class ServletConfiguration {
    @Bean
    @ConditionalOnMissingBean(value = SseAuthFilter.class, parameterizedContainer = FilterRegistrationBean.class)
    FilterRegistrationBean<SseAuthFilter> sseAuthFilter(SseAuth sseAuth, ConfigurableEnvironment environment) {
      FilterRegistrationBean<SseAuthFilter> r = new FilterRegistrationBean<>(new SseAuthFilter(sseAuth));
      r.setName("sseAuthFilter");
      r.setAsyncSupported(true);
      r.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
      r.setOrder(environment.getProperty("spring.security.filter.order", Integer.class, SECURITY_FILTER_ORDER) + 1);
      return r; // every path: the filter guards only sseauth.paths and serves only sseauth.ticket.path
    }
  }

  /** The meters, with Micrometer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "dev.sseauth.micrometer.SseAuthMetrics"})
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean(SseAuthListener.class)
    SseAuthListener sseAuthMetrics(ObjectProvider<MeterRegistry> registry) {
      MeterRegistry r = registry.getIfUnique();
      return r == null ? SseAuthListener.NONE : new SseAuthMetrics(r);
    }
  }
}
